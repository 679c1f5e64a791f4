"""Keeping DailyMetric up to date from the raw tables.

`refresh(first_day, last_day)` recounts every figure for those (UK) days from the raw rows and
replaces what was stored, in one transaction; on the day it runs it also records the snapshot
metrics (stocks such as active subscribers or open recommendations, which have no history of
their own). Celery beat runs it hourly for the last INSIGHT_REFRESH_DAYS days (tasks.py);
`manage.py rebuild_insight` runs it over any range.

Two sources delete their raw rows after a while: page-view visits (once their day is over) and
contact-the-originator messages (PRACTICE_CONTACT_MESSAGES_KEEP_DAYS after relaying). Their
figures only ever grow while the rows exist, so for those metrics the larger of the stored and
the recounted figure is kept: a rebuild after the rows are gone does not wipe their history.
"""

import collections
import datetime as dt

from django.db import transaction
from django.utils import timezone

from .models import DailyMetric
from .sources import events, practice, reach, search

SNAPSHOT_METRICS = {
    # Always written with the others, so the latest snapshot day is known even when every
    # other stock is zero (zero figures are not stored).
    "snapshot.taken",
    "subscribers.active",
    "subscribers.suppressed",
    "subscriptions.active",
    "accounts.registered",
    "practice.shared",
    "recommendations.open",
    "recommendations.overdue",
    "waitlist.current",
}
KEEP_LARGER_METRICS = {"practice.views", "practice.contacts"}
SOURCES = [reach, events, practice, search]
WRITE_BATCH = 5000


def day_bounds(first_day, last_day):
    """The aware datetimes from the start of first_day to the end of last_day (UK time)."""
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(first_day, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return start, end


def local_day(moment):
    return timezone.localtime(moment).date()


class Figures(collections.Counter):
    """(metric, day, dimension) -> value, with a helper that adds one figure under several
    dimensions at once."""

    def add(self, metric, day, dimensions, value=1):
        for dimension in dimensions:
            self[metric, day, dimension] += value


def collect(first_day, last_day):
    start, end = day_bounds(first_day, last_day)
    figures = Figures()
    for source in SOURCES:
        source.collect(figures, first_day, last_day, start, end)
    return figures


def collect_snapshots(today):
    figures = Figures()
    figures["snapshot.taken", today, ""] = 1
    for source in SOURCES:
        source.snapshot(figures, today)
    return figures


def refresh(first_day, last_day, today=None):
    """Recount first_day..last_day (and today's snapshots). Returns the rows written."""
    today = today or timezone.localdate()
    figures = collect(first_day, last_day)
    snapshots = collect_snapshots(today)
    counted = {key: value for key, value in figures.items() if key[0] not in SNAPSHOT_METRICS}
    with transaction.atomic():
        replaced = DailyMetric.objects.filter(day__gte=first_day, day__lte=last_day).exclude(
            metric__in=SNAPSHOT_METRICS | KEEP_LARGER_METRICS
        )
        replaced.delete()
        DailyMetric.objects.filter(day=today, metric__in=SNAPSHOT_METRICS).delete()
        kept = DailyMetric.objects.filter(
            day__gte=first_day, day__lte=last_day, metric__in=KEEP_LARGER_METRICS
        ).values_list("metric", "day", "dimension", "value")
        for metric, day, dimension, value in kept.iterator():
            key = (metric, day, dimension)
            counted[key] = max(counted.get(key, 0), value)
        for key, value in snapshots.items():
            counted[key[0], today, key[2]] = value
        rows = [
            DailyMetric(metric=metric, day=day, dimension=dimension[:300], value=value)
            for (metric, day, dimension), value in counted.items()
            if value
        ]
        DailyMetric.objects.bulk_create(
            rows,
            batch_size=WRITE_BATCH,
            update_conflicts=True,
            unique_fields=["metric", "day", "dimension"],
            update_fields=["value"],
        )
    return len(rows)
