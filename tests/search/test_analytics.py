"""Every search is logged without personal data; the admin reports top and empty searches."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.utils import timezone

from search.models import SearchQuery

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clear_rate_limits():
    cache.clear()


def test_searches_are_logged_without_personal_data(client, indexed, police_user):
    indexed(title="Grab packs")
    client.force_login(police_user)
    client.get("/search/", {"q": "  Grab   PACKS ", "theme": "training"})
    client.get("/search/", {"q": "grab packs", "page": "2"})  # later pages are not new searches
    client.get("/api/v1/search", {"q": "zebra"})
    logged = list(SearchQuery.objects.order_by("created_at"))
    assert [(q.query, q.result_count, q.source) for q in logged] == [
        ("grab packs", 1, "web"),
        ("zebra", 0, "api"),
    ]
    assert logged[0].filters == {"theme": ["training"]}
    fields = {f.name for f in SearchQuery._meta.get_fields()}
    assert not fields & {"user", "ip", "ip_address", "session", "email"}


def test_admin_report_shows_top_and_zero_result_searches_for_a_period(client):
    admin = get_user_model().objects.create_superuser("ncpi", "ncpi@example.com", "pw")
    client.force_login(admin)
    now = timezone.now()
    for query, count, when in [
        ("mash", 3, now),
        ("mash", 5, now),
        ("cse", 2, now),
        ("zebra crossing", 0, now),
        ("zebra crossing", 0, now),
        ("old search", 0, now - dt.timedelta(days=90)),
    ]:
        SearchQuery.objects.create(query=query, result_count=count, created_at=when)
    html = client.get("/admin/reports/search/").content.decode()
    top = html[html.index('id="top-searches"') : html.index("Searches with no results")]
    assert top.index("mash") < top.index("zebra crossing") < top.index("cse") or top.index(
        "mash"
    ) < top.index("cse")
    zero = html[html.index('id="zero-result-searches"') :]
    assert "zebra crossing</td><td>2</td>" in zero
    assert "old search" not in html
    older = (now - dt.timedelta(days=95)).date().isoformat()
    html = client.get(
        "/admin/reports/search/", {"start": older, "end": (now - dt.timedelta(days=80)).date()}
    ).content.decode()
    assert "old search" in html and "mash" not in html


def test_report_rejects_bad_dates_politely_and_needs_permission(client):
    admin = get_user_model().objects.create_superuser("ncpi", "ncpi@example.com", "pw")
    client.force_login(admin)
    response = client.get("/admin/reports/search/", {"start": "2025-13-01", "end": "yesterday"})
    assert response.status_code == 200
    assert "Enter the start date as a real date" in response.content.decode()
    response = client.get("/admin/reports/search/", {"start": "2025-03-02", "end": "2025-03-01"})
    assert "The start date must be on or before the end date" in response.content.decode()
    editor = get_user_model().objects.create_user("editor", "e@example.com", "pw")
    client.force_login(editor)
    assert client.get("/admin/reports/search/").status_code in (302, 403)


# serialized_rollback: the flush after a transactional test empties the tables the other
# transactional tests (test_indexing) expect, such as content types.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_log_is_committed_and_later_writes_still_wait_for_the_disk(client, postgres):
    """The log entry commits asynchronously (the reader does not wait for the disk), for its
    own transaction only: everything else written on the connection stays durable."""
    from django.db import connection, connections

    client.get("/search/", {"q": "grab packs"})
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT query FROM search_searchquery")
            assert cursor.fetchall() == [("grab packs",)]
    finally:
        other.close()
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone() == ("on",)
