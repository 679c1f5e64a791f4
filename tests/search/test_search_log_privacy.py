"""The search log keeps no contact details people type, keeps entries for a set time only, and
its daily totals keep the admin report's numbers the same after the entries are gone."""

import datetime as dt
import importlib
import re

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.utils import timezone

from search.models import SearchQuery, SearchQueryDay
from search.tasks import roll_up_search_log

pytestmark = pytest.mark.django_db

TYPED = (
    "Jane.Doe@Kent.Police.uk  07700 900123 +44 (0)20 7946 0018 SW1A 1AA "
    "crime ref 12/3456789/24 QQ 12 34 56 C grooming"
)
STORED = "[email] [phone] [phone] [postcode] crime ref 12/[number]/24 [ni-number] grooming"


@pytest.fixture(autouse=True)
def clear_rate_limits():
    cache.clear()


@pytest.fixture
def ncpi_client(client):
    admin = get_user_model().objects.create_superuser("ncpi", "ncpi@example.com", "pw")
    client.force_login(admin)
    return client


def test_contact_details_and_references_are_replaced_before_a_search_is_stored(client, indexed):
    indexed(title="Grab packs")
    client.get("/search/", {"q": TYPED})
    client.get("/api/v1/search", {"q": "sam.officer@avon.police.uk m1 1ae"})
    stored = list(SearchQuery.objects.order_by("created_at").values_list("query", "source"))
    assert stored == [(STORED, "web"), ("[email] [postcode]", "api")]


def test_the_admin_report_never_shows_what_was_redacted(ncpi_client, indexed):
    indexed(title="Grab packs")
    ncpi_client.get("/search/", {"q": TYPED})
    html = ncpi_client.get("/admin/reports/search/").content.decode()
    assert STORED in html
    for typed in ("jane.doe", "kent.police.uk", "07700", "7946", "sw1a", "3456789", "qq 12"):
        assert typed not in html.lower()


def test_searches_logged_before_redaction_are_redacted_by_the_migration():
    migration = importlib.import_module(
        "search.migrations.0009_add_daily_search_totals_and_redact_log"
    )
    SearchQuery.objects.create(query="jane.doe@kent.police.uk missing", result_count=0)
    SearchQuery.objects.create(query="grab packs", result_count=3)
    migration.redact_logged_queries(apps, None)
    assert sorted(SearchQuery.objects.values_list("query", flat=True)) == [
        "[email] missing",
        "grab packs",
    ]


def _log(query, days_ago, result_count=1, source="web", filters=None):
    when = timezone.now() - dt.timedelta(days=days_ago)
    return SearchQuery.objects.create(
        query=query,
        result_count=result_count,
        source=source,
        filters=filters or {},
        created_at=when,
    )


@pytest.fixture
def months_of_searches(settings):
    settings.SEARCH_LOG_KEEP_DAYS = 90
    _log("mash", 100, filters={"theme": ["training"]})
    _log("mash", 100, result_count=0)
    _log("mash", 100, source="api")
    _log("zebra crossing", 100, result_count=0, filters={"theme": ["training"]})
    _log("", 100, result_count=0, filters={"criterion": ["initial-contact"]})
    _log("mash", 95)
    _log("grab packs", 95, result_count=0)
    _log("grab packs", 10)
    _log("zebra crossing", 10, result_count=0)
    _log("grab packs", 1)


def _report(client, first_day, last_day):
    response = client.get(
        "/admin/reports/search/", {"start": first_day.isoformat(), "end": last_day.isoformat()}
    )
    html = response.content.decode()
    top = html[html.index('id="top-searches"') : html.index("Searches with no results")]
    zero = html[html.index('id="zero-result-searches"') :]
    total = int(re.search(r"<p>(\d+) search", html)[1])
    return total, top, zero


def test_old_entries_become_daily_totals_and_recent_ones_stay(months_of_searches):
    assert roll_up_search_log() == 2  # two days older than 90 days
    assert SearchQuery.objects.count() == 3
    assert not SearchQuery.objects.filter(
        created_at__lt=timezone.now() - dt.timedelta(days=90)
    ).exists()
    hundred = timezone.localdate(timezone.now() - dt.timedelta(days=100))
    rows = {(row.query, row.source): row for row in SearchQueryDay.objects.filter(day=hundred)}
    assert set(rows) == {("mash", "web"), ("mash", "api"), ("zebra crossing", "web"), ("", "web")}
    mash = rows["mash", "web"]
    assert (mash.searches, mash.zero_results, mash.filtered) == (2, 1, 1)
    assert mash.filters == {"theme=training": 1}
    assert rows["", "web"].filters == {"criterion=initial-contact": 1}

    # Run again (beat twice, or a retry): nothing is counted twice.
    assert roll_up_search_log() == 0
    assert sum(SearchQueryDay.objects.values_list("searches", flat=True)) == 7


def test_the_report_totals_are_the_same_before_and_after_the_roll_up(
    ncpi_client, months_of_searches
):
    today = timezone.localdate()
    whole = (today - dt.timedelta(days=120), today)
    old_only = (today - dt.timedelta(days=120), today - dt.timedelta(days=91))
    before = [_report(ncpi_client, *whole), _report(ncpi_client, *old_only)]
    roll_up_search_log()
    after = [_report(ncpi_client, *whole), _report(ncpi_client, *old_only)]
    assert after == before
    total, top, zero = after[0]
    assert total == 10
    # mash: 3 + 1; grab packs: 1 + 2 (one found nothing); zebra crossing: 2, both empty.
    assert "<td>mash</td><td>4</td><td>1</td>" in top
    assert "<td>grab packs</td><td>3</td><td>1</td>" in top
    assert "<td>zebra crossing</td><td>2</td><td>2</td>" in top
    assert top.index("mash") < top.index("grab packs") < top.index("zebra crossing")
    assert "zebra crossing</td><td>2</td>" in zero
    assert "(no words, only filters)</td><td>1</td>" in zero
