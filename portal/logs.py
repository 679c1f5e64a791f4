"""Keeping signed tokens and personal data out of every log the portal writes.

One logging filter, `RedactingFilter`, rewrites each record before a handler writes it (see
portal.redaction.log_text). It sits on the handlers, not the loggers, because a filter on a
logger does not see records that propagate to it from its children. It is installed on:

- Django's handlers, by LOGGING in portal/settings/base.py (django.request's "Not Found:
  /newsletters/manage/<token>/" warnings, runserver's django.server lines);
- gunicorn's access and error logs, by portal/gunicorn_conf.py's logger class;
- Celery's worker and task logs, by `redact_celery_logs` (portal/celery.py), since a worker
  replaces the root logger's handlers with its own.
"""

import logging

from . import redaction


class RedactingFilter(logging.Filter):
    def filter(self, record):
        try:
            message = record.getMessage()
        except (TypeError, ValueError, KeyError):
            # A malformed record: leave it for the handler to report as usual.
            return True
        redacted = redaction.log_text(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        if record.exc_info and not record.exc_text:
            # Formatter.format uses exc_text when it is set, so the traceback is redacted too.
            record.exc_text = redaction.log_text(
                logging.Formatter().formatException(record.exc_info)
            )
        return True


def add_redaction(logger):
    """Put the filter on every handler of this logger (once)."""
    for handler in logger.handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())


def redact_celery_logs(logger=None, **kwargs):
    """Receiver for Celery's after_setup_logger and after_setup_task_logger signals."""
    if logger is not None:
        add_redaction(logger)
