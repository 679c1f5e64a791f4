"""Reading the daily figures for a period: the only queries the dashboard makes for numbers.

`PeriodFigures` loads, in one query, the sum of every flow metric by dimension over the period
(search queries aside, which are read ranked and limited), and in two more the latest snapshot
taken on or before its last day.
"""

import datetime as dt

from django.db.models import Max, Min, Sum

from .models import DailyMetric
from .rollups import SNAPSHOT_METRICS

QUERY_METRICS = {"search.query", "search.query_zero", "search.query_found"}


class PeriodFigures:
    def __init__(self, period):
        self.period = period
        rows = (
            DailyMetric.objects.filter(day__gte=period.first, day__lte=period.last)
            .exclude(metric__in=SNAPSHOT_METRICS | QUERY_METRICS)
            .values_list("metric", "dimension")
            .annotate(total=Sum("value"))
            .order_by()
        )
        self.sums = {(metric, dimension): total for metric, dimension, total in rows}
        self.snapshot_day = DailyMetric.objects.filter(
            metric="snapshot.taken", day__lte=period.last
        ).aggregate(day=Max("day"))["day"]
        self.stocks = {}
        if self.snapshot_day:
            stocks = DailyMetric.objects.filter(
                day=self.snapshot_day, metric__in=SNAPSHOT_METRICS
            ).values_list("metric", "dimension", "value")
            self.stocks = {(metric, dimension): value for metric, dimension, value in stocks}

    def has(self, metric):
        """Whether the period has a figure for the metric: a stock needs a snapshot taken on
        or before its last day."""
        return metric not in SNAPSHOT_METRICS or self.snapshot_day is not None

    def total(self, metric, dimension=""):
        if metric in SNAPSHOT_METRICS:
            return self.stocks.get((metric, dimension), 0)
        return self.sums.get((metric, dimension), 0)

    def by_prefix(self, metric, prefix):
        """{rest of dimension: value} for the dimensions "prefix:rest" (no "|" pairs)."""
        source = self.stocks if metric in SNAPSHOT_METRICS else self.sums
        start = f"{prefix}:"
        return {
            dimension[len(start) :]: value
            for (m, dimension), value in source.items()
            if m == metric and dimension.startswith(start) and "|" not in dimension
        }


def series(period, pairs):
    """Buckets of the period (days up to 31 days, weeks up to 26 weeks, else months) and the
    total of each (metric, dimension) in each: ([(label, first, last)], {pair: [values]})."""
    buckets = _buckets(period.first, period.last)
    rows = DailyMetric.objects.filter(
        day__gte=period.first,
        day__lte=period.last,
        metric__in={metric for metric, _ in pairs},
        dimension__in={dimension for _, dimension in pairs},
    ).values_list("metric", "dimension", "day", "value")
    values = {pair: [0] * len(buckets) for pair in pairs}
    starts = [first for _, first, _ in buckets]
    for metric, dimension, day, value in rows:
        if (metric, dimension) in values:
            values[metric, dimension][_bucket_of(starts, day)] += value
    return buckets, values


def _bucket_of(starts, day):
    low, high = 0, len(starts) - 1
    while low < high:
        middle = (low + high + 1) // 2
        if starts[middle] <= day:
            low = middle
        else:
            high = middle - 1
    return low


def _buckets(first, last):
    days = (last - first).days + 1
    if days <= 31:
        return [(f"{d:%-d %b}", d, d) for d in _days(first, last)]
    if days <= 26 * 7:
        out, start = [], first
        while start <= last:
            end = min(start + dt.timedelta(days=6), last)
            out.append((f"Week from {start:%-d %b %Y}", start, end))
            start = end + dt.timedelta(days=1)
        return out
    out, start = [], first
    while start <= last:
        next_month = (start.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
        end = min(next_month - dt.timedelta(days=1), last)
        out.append((f"{start:%B %Y}", start, end))
        start = end + dt.timedelta(days=1)
    return out


def _days(first, last):
    day = first
    while day <= last:
        yield day
        day += dt.timedelta(days=1)


def ranked_queries(period, metric, limit):
    """[(query, total)] for a search.query* metric, largest first."""
    rows = (
        DailyMetric.objects.filter(day__gte=period.first, day__lte=period.last, metric=metric)
        .values("dimension")
        .annotate(total=Sum("value"))
        .order_by("-total", "dimension")[:limit]
    )
    return [(row["dimension"][2:], row["total"]) for row in rows]


def query_totals(period, metric, queries):
    rows = (
        DailyMetric.objects.filter(
            day__gte=period.first,
            day__lte=period.last,
            metric=metric,
            dimension__in=[f"q:{q}" for q in queries],
        )
        .values("dimension")
        .annotate(total=Sum("value"))
        .order_by()
    )
    return {row["dimension"][2:]: row["total"] for row in rows}


def found_after(period, queries, today):
    """{query: first day it found something} after the first day in the period it found
    nothing, up to today: zero-result searches that new content or a glossary entry answered."""
    dimensions = [f"q:{q}" for q in queries]
    first_zero = dict(
        DailyMetric.objects.filter(
            day__gte=period.first,
            day__lte=period.last,
            metric="search.query_zero",
            dimension__in=dimensions,
        )
        .values_list("dimension")
        .annotate(first=Min("day"))
        .order_by()
    )
    found = DailyMetric.objects.filter(
        day__gte=period.first,
        day__lte=today,
        metric="search.query_found",
        dimension__in=dimensions,
    ).values_list("dimension", "day")
    answered = {}
    for dimension, day in found:
        if dimension in first_zero and day > first_zero[dimension]:
            query = dimension[2:]
            answered[query] = min(answered.get(query, day), day)
    return answered
