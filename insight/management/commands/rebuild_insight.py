"""Recount the insight dashboard's daily figures from the raw tables."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from insight import rollups


class Command(BaseCommand):
    help = (
        "Recount the insight figures for the last DAYS days (default 730), a month at a time. "
        "Views and contact messages whose raw rows are gone keep their stored figures."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=730)

    def handle(self, *args, days, **options):
        if days < 1:
            raise CommandError("--days must be 1 or more")
        today = timezone.localdate()
        first = today - dt.timedelta(days=days - 1)
        written = 0
        while first <= today:
            last = min(first + dt.timedelta(days=30), today)
            written += rollups.refresh(first, last, today=today)
            first = last + dt.timedelta(days=1)
        if connection.vendor == "postgresql":
            # A rebuild can replace most of the table: fresh statistics keep the dashboard's
            # plans (hash aggregates over a year of rows) from waiting for autovacuum.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE insight_dailymetric")
        self.stdout.write(f"Wrote {written} daily figures for {days} days.")
