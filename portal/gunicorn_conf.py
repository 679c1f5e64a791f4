"""gunicorn's settings for the web service: `gunicorn --config=python:portal.gunicorn_conf ...`
(Dockerfile, docker-compose.yml). https://docs.gunicorn.org/en/stable/settings.html

The application is loaded once, in the master, and its objects frozen out of the garbage
collector's reach before the workers are forked (https://docs.python.org/3/library/gc.html#gc.freeze).
Otherwise every full collection in a worker walks the whole of Django, Wagtail and the portal,
some 240,000 objects: about 120 ms holding the GIL on a quiet core, 250 ms on a busy one, during
which every request the process holds waits (measured by benchmarks/load.py, RESULTS.md).

Access lines keep gunicorn's default (combined) format, whose request line and Referer can hold
a signed link or a search: the logger class below passes every access and error line through
portal.logs' redacting filter, which replaces tokens, search words and email addresses with
markers such as "[token]".
"""

import gc

from gunicorn.glogging import Logger

from portal.logs import add_redaction

# The address and the number of workers are on the command line. Access lines go to standard
# output and errors to standard error: the container's log.
accesslog = "-"
errorlog = "-"


class RedactingLogger(Logger):
    def setup(self, cfg):
        # setup() runs again on a configuration reload and replaces gunicorn's handlers, so the
        # filter is added each time.
        super().setup(cfg)
        add_redaction(self.access_log)
        add_redaction(self.error_log)


logger_class = RedactingLogger


preload_app = True


def when_ready(server):
    """In the master, once the application is loaded and before any worker is forked."""
    from django.db import connections
    from django.urls import get_resolver

    # Import every view now (Django does on the first request otherwise), so the workers
    # share those objects too, and an import error stops the start instead of a request.
    get_resolver().url_patterns  # noqa: B018 (the import is the point)
    # A connection opened while loading would be shared by every worker forked after it.
    connections.close_all()
    gc.freeze()
