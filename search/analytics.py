"""The search log: what is stored about a search, how long, and the totals read from it.

A search's words are normalised and stripped of personal data before they are stored
(`normalise`). Entries are kept as they are for SEARCH_LOG_KEEP_DAYS; then `roll_up`, run daily
by beat, folds each older (UK) day into SearchQueryDay rows and deletes the entries, in one
transaction per day. The totals below read both tables, so a period's numbers do not change
when its days are rolled up.
"""

import collections
import datetime as dt

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from portal import redaction

from .models import SearchQuery, SearchQueryDay

# Days rolled up per task run: a day is one transaction, and a beat that was stopped for a
# month catches up in one run; the task enqueues itself again for any more.
ROLL_UP_DAYS_PER_RUN = 31
# Entries deleted per statement (SQLite allows a limited number of parameters).
DELETE_BATCH = 500


def normalise(text):
    """The words as stored and reported: spacing collapsed, lower case, and email addresses,
    phone and NI numbers, postcodes and long numbers replaced by markers."""
    words = " ".join((text or "").split()).lower()
    return redaction.personal_data(words)[:255]


def _day_bounds(first_day, last_day):
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(first_day, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return start, end


def first_kept_day(today=None):
    """The oldest (UK) day whose entries are still kept one by one."""
    today = today or timezone.localdate()
    return today - dt.timedelta(days=settings.SEARCH_LOG_KEEP_DAYS)


def roll_up(today=None, max_days=ROLL_UP_DAYS_PER_RUN):
    """Fold the entries of days before first_kept_day into daily totals and delete them,
    oldest day first. Returns (days rolled up, whether older entries remain)."""
    cutoff, _ = _day_bounds(first_kept_day(today), first_kept_day(today))
    for done in range(max_days):
        oldest = (
            SearchQuery.objects.filter(created_at__lt=cutoff)
            .order_by("created_at")
            .values_list("created_at", flat=True)
            .first()
        )
        if oldest is None:
            return done, False
        _roll_up_day(timezone.localtime(oldest).date())
    return max_days, SearchQuery.objects.filter(created_at__lt=cutoff).exists()


def _roll_up_day(day):
    start, end = _day_bounds(day, day)
    with transaction.atomic():
        # Locked, so a second run at the same time waits here, then finds them deleted: no
        # search is counted twice.
        entries = list(
            SearchQuery.objects.select_for_update()
            .filter(created_at__gte=start, created_at__lt=end)
            .order_by()
            .values_list("pk", "query", "source", "result_count", "filters")
        )
        totals = collections.defaultdict(
            lambda: {"searches": 0, "zero_results": 0, "filtered": 0, "filters": {}}
        )
        for _, query, source, result_count, filters in entries:
            total = totals[query, source]
            total["searches"] += 1
            total["zero_results"] += result_count == 0
            total["filtered"] += bool(filters)
            for facet, values in (filters or {}).items():
                for value in values if isinstance(values, list) else [values]:
                    key = f"{facet}={value}"
                    total["filters"][key] = total["filters"].get(key, 0) + 1
        for (query, source), total in totals.items():
            _add_to_day(day, query, source, total)
        ids = [entry[0] for entry in entries]
        for first in range(0, len(ids), DELETE_BATCH):
            SearchQuery.objects.filter(pk__in=ids[first : first + DELETE_BATCH]).delete()


def _add_to_day(day, query, source, total):
    row, created = SearchQueryDay.objects.select_for_update().get_or_create(
        day=day, query=query, source=source, defaults=total
    )
    if created:
        return
    row.searches += total["searches"]
    row.zero_results += total["zero_results"]
    row.filtered += total["filtered"]
    for key, count in total["filters"].items():
        row.filters[key] = row.filters.get(key, 0) + count
    row.save()


def _both_tables(entries, days, limit):
    """Rows of (query, searches, empty) summed over the two grouped querysets, most searched
    first. One SQL statement (UNION ALL, then GROUP BY), so the order and the limit are right
    whichever table each search is counted in."""
    entries_sql, entries_params = entries.query.sql_with_params()
    days_sql, days_params = days.query.sql_with_params()
    # Both parts are built by the ORM; their parameters are passed separately.
    sql = (
        f"SELECT query, SUM(searches), SUM(empty) FROM ({entries_sql} UNION ALL {days_sql}) "  # noqa: S608
        "AS both_tables GROUP BY query ORDER BY 2 DESC, query LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*entries_params, *days_params, limit])
        return [
            {"query": query, "searches": int(searches), "empty": int(empty)}
            for query, searches, empty in cursor.fetchall()
        ]


def _period(first_day, last_day):
    start, end = _day_bounds(first_day, last_day)
    entries = SearchQuery.objects.filter(created_at__gte=start, created_at__lt=end).order_by()
    days = SearchQueryDay.objects.filter(day__gte=first_day, day__lte=last_day).order_by()
    return entries, days


def total_searches(first_day, last_day):
    entries, days = _period(first_day, last_day)
    return entries.count() + (days.aggregate(n=Sum("searches"))["n"] or 0)


def top_queries(first_day, last_day, limit):
    """The most searched queries with words from first_day to last_day (UK dates, inclusive),
    with how many of those searches found nothing."""
    entries, days = _period(first_day, last_day)
    return _both_tables(
        entries.exclude(query="")
        .values("query")
        .annotate(searches=Count("pk"), empty=Count("pk", filter=Q(result_count=0)))
        .values_list("query", "searches", "empty"),
        days.exclude(query="")
        .values("query")
        .annotate(searches=Sum("searches"), empty=Sum("zero_results"))
        .values_list("query", "searches", "empty"),
        limit,
    )


def zero_result_queries(first_day, last_day, limit):
    """The queries (and filter-only searches, as "") that most often found nothing."""
    entries, days = _period(first_day, last_day)
    return _both_tables(
        entries.filter(result_count=0)
        .values("query")
        .annotate(searches=Count("pk"), empty=Count("pk"))
        .values_list("query", "searches", "empty"),
        days.filter(zero_results__gt=0)
        .values("query")
        .annotate(searches=Sum("zero_results"), empty=Sum("zero_results"))
        .values_list("query", "searches", "empty"),
        limit,
    )
