"""Reading the daily figures: periods and comparisons, zero-result searches that later found
something, CSV safety, and the beat entry that keeps the figures current."""

import csv
import datetime as dt
import io

import pytest
from django.conf import settings

from insight import periods, reading
from insight.models import DailyMetric
from insight.suppression import number
from insight.tables import Table

TODAY = dt.date(2026, 11, 15)


def test_presets_and_their_previous_periods():
    month = periods.from_query({}, TODAY)
    assert (month.first, month.last) == (dt.date(2026, 10, 17), TODAY)
    assert month.previous().last == dt.date(2026, 10, 16) and month.previous().days == 30
    quarter = periods.from_query({"period": "quarter"}, TODAY)
    assert (quarter.first, quarter.last) == (dt.date(2026, 7, 1), dt.date(2026, 9, 30))
    assert (quarter.previous().first, quarter.previous().last) == (
        dt.date(2026, 4, 1),
        dt.date(2026, 6, 30),
    )
    january = periods.from_query({"period": "quarter"}, dt.date(2027, 1, 5))
    assert (january.first, january.last) == (dt.date(2026, 10, 1), dt.date(2026, 12, 31))


@pytest.mark.django_db
def test_a_search_that_found_nothing_and_later_found_something_is_reported():
    period = periods.Period("custom", dt.date(2026, 11, 1), dt.date(2026, 11, 10))
    DailyMetric.objects.bulk_create(
        [
            DailyMetric(metric="search.query_zero", day=dt.date(2026, 11, 3), dimension="q:cse"),
            DailyMetric(metric="search.query_found", day=dt.date(2026, 11, 2), dimension="q:cse"),
            DailyMetric(metric="search.query_found", day=dt.date(2026, 11, 12), dimension="q:cse"),
            DailyMetric(metric="search.query_zero", day=dt.date(2026, 11, 4), dimension="q:xyz"),
        ]
    )
    found = reading.found_after(period, ["cse", "xyz"], TODAY)
    assert found == {"cse": dt.date(2026, 11, 12)}


@pytest.mark.django_db
def test_period_figures_sum_flows_and_read_the_latest_stock():
    period = periods.Period("custom", dt.date(2026, 11, 1), dt.date(2026, 11, 10))
    DailyMetric.objects.bulk_create(
        [
            DailyMetric(metric="registrations.created", day=dt.date(2026, 11, 1), value=3),
            DailyMetric(metric="registrations.created", day=dt.date(2026, 11, 10), value=4),
            DailyMetric(metric="registrations.created", day=dt.date(2026, 11, 11), value=50),
            DailyMetric(metric="snapshot.taken", day=dt.date(2026, 11, 5), value=1),
            DailyMetric(metric="subscribers.active", day=dt.date(2026, 11, 5), value=12),
            DailyMetric(metric="snapshot.taken", day=dt.date(2026, 11, 12), value=1),
            DailyMetric(metric="subscribers.active", day=dt.date(2026, 11, 12), value=99),
        ]
    )
    figures = reading.PeriodFigures(period)
    assert figures.total("registrations.created") == 7
    assert figures.total("subscribers.active") == 12
    assert not reading.PeriodFigures(period.previous()).has("subscribers.active")


def test_csv_cells_cannot_run_as_spreadsheet_formulas():
    table = Table(
        "t", "T", ["Search", "Times"], rows=[["=HYPERLINK(1)", number(3)], ["-1", number(-1)]]
    )
    rows = list(csv.reader(io.StringIO(table.csv())))
    assert rows[1] == ["'=HYPERLINK(1)", "3"]
    assert rows[2] == ["-1", "-1"]


def test_beat_recounts_the_figures_every_hour():
    entries = [
        e
        for e in settings.CELERY_BEAT_SCHEDULE.values()
        if e["task"] == "insight.tasks.refresh_insight"
    ]
    assert len(entries) == 1
    assert entries[0]["schedule"].minute == {20}
