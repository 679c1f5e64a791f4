"""Beat keeps the insight figures current: every hour the last INSIGHT_REFRESH_DAYS days are
recounted (so late changes, such as attendance marked after an event, reach the dashboard)."""

import datetime as dt

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from . import rollups


@shared_task(soft_time_limit=50 * 60, time_limit=55 * 60)
def refresh_insight():
    today = timezone.localdate()
    first = today - dt.timedelta(days=settings.INSIGHT_REFRESH_DAYS - 1)
    return rollups.refresh(first, today, today=today)
