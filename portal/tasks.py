"""Periodic housekeeping for the project shell."""

from importlib import import_module

from celery import shared_task
from django.conf import settings


@shared_task(soft_time_limit=110, time_limit=120)
def clear_expired_sessions():
    """Beat, daily: delete expired sessions (who was signed in, and any messages kept for
    them), which Django itself never removes; the same as `manage.py clearsessions`."""
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
