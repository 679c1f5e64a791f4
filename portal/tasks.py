"""Periodic housekeeping for the project shell."""

from importlib import import_module

from celery import shared_task
from django.conf import settings


@shared_task(soft_time_limit=110, time_limit=120)
def clear_expired_sessions():
    """Beat, daily: delete expired sessions (who was signed in, and any messages kept for
    them), which Django itself never removes; the same as `manage.py clearsessions`."""
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()


@shared_task(soft_time_limit=50, time_limit=60)
def publish_outbox():
    """Beat, every OUTBOX_PUBLISH_SECONDS: publish tasks (emails) whose changes committed while
    the broker was down, or whose process died before publishing them (portal.outbox)."""
    from . import outbox

    return outbox.publish_pending()


@shared_task(soft_time_limit=110, time_limit=120)
def forget_published_outbox():
    """Beat, hourly: outbox rows the broker took a day ago are of no further use."""
    from . import outbox

    return outbox.forget_published()
