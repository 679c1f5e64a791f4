import os

from celery import Celery
from celery.signals import after_setup_logger, after_setup_task_logger

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
