import os

from celery import Celery
from celery.signals import after_setup_logger, after_setup_task_logger, task_postrun, task_prerun
from django.db import close_old_connections

from portal.logs import redact_celery_logs

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# A worker replaces the root logger's handlers with its own: give them the filter that takes
# signed tokens and email addresses out of log lines (an SMTP refusal names the address).
after_setup_logger.connect(redact_celery_logs, weak=False, dispatch_uid="portal-redact-logs")
after_setup_task_logger.connect(
    redact_celery_logs, weak=False, dispatch_uid="portal-redact-task-logs"
)


def close_old_database_connections(sender=None, **kwargs):
    """Around each task, as Django does around each request: close a connection that is past
    CONN_MAX_AGE or was left unusable by an error, keep the others (CELERY_DB_REUSE_MAX stops
    Celery closing them all). With CONN_HEALTH_CHECKS, a connection the server dropped between
    tasks is replaced before the next task's first query. Not for a task run inline (eager),
    which shares the caller's connection and transaction."""
    if getattr(getattr(sender, "request", None), "is_eager", False):
        return
    close_old_connections()


task_prerun.connect(close_old_database_connections, weak=False, dispatch_uid="portal-db-prerun")
task_postrun.connect(close_old_database_connections, weak=False, dispatch_uid="portal-db-postrun")
