"""The Atom feed of a search, as feed readers take it: valid RFC 4287 (feedparser reads it
without complaint, lxml finds every required element and absolute IRIs), a self link that keeps
the filter, conditional requests answered 304, and a plain 400 for a bad filter."""

import pytest
from django.core.cache import cache

from taxonomy.models import Criterion
from tests.validators import check_atom

pytestmark = pytest.mark.django_db

BASE = "https://practice.example"


@pytest.fixture(autouse=True)
def setup(settings):
    settings.PUBLIC_BASE_URL = BASE
    # Rate-limit counters live in the cache.
    cache.clear()


def feed(client, **params):
    response = client.get("/search/feed/", params)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/atom+xml")
    return response


def test_every_feed_is_valid_atom_with_updated_dates_and_iri_ids(client, indexed):
    initial = Criterion.objects.get(slug="initial-contact")
    first = indexed(title="Triage at the front desk", criteria=[initial], external_id="prac-1")
    indexed(title="Triage in custody", criteria=[initial])
    for params in ({}, {"q": "triage"}, {"criterion": "initial-contact"}, {"q": "nothing"}):
        parsed, root = check_atom(feed(client, **params).content)
    parsed, _ = check_atom(feed(client, q="triage").content)
    assert {entry.title for entry in parsed.entries} == {
        "Triage at the front desk",
        "Triage in custody",
    }
    entry = next(e for e in parsed.entries if e.title == "Triage at the front desk")
    assert entry.id == f"urn:uuid:{first.translation_key}"
    assert entry.link == f"{BASE}{first.url}"
    assert entry.updated_parsed is not None
    assert entry.author == first.force.name


def test_an_entry_keeps_its_id_when_the_domain_changes(client, indexed, settings):
    page = indexed(title="Triage at the front desk")
    before = check_atom(feed(client).content)[0].entries[0].id
    settings.PUBLIC_BASE_URL = "https://new-home.example"
    after = check_atom(feed(client).content)[0].entries[0]
    assert after.id == before
    assert after.link == f"https://new-home.example{page.url}"


def test_the_self_link_keeps_the_filter_so_a_reader_can_resubscribe(client, indexed):
    initial = Criterion.objects.get(slug="initial-contact")
    indexed(title="Triage at the front desk", criteria=[initial])
    indexed(title="Triage elsewhere", criteria=[Criterion.objects.get(slug="investigation")])
    parsed, _ = check_atom(feed(client, q="triage", criterion="initial-contact").content)
    self_link = next(link.href for link in parsed.feed.links if link.rel == "self")
    assert self_link == f"{BASE}/search/feed/?q=triage&criterion=initial-contact"
    # Subscribing to that address gives the same, filtered feed.
    again, _ = check_atom(client.get(self_link.removeprefix(BASE)).content)
    assert [e.title for e in again.entries] == ["Triage at the front desk"]
    assert parsed.feed.id == self_link
    alternate = next(link.href for link in parsed.feed.links if link.rel == "alternate")
    assert alternate == f"{BASE}/search/?q=triage&criterion=initial-contact"


def test_a_reader_polling_an_unchanged_feed_gets_304(client, indexed):
    page = indexed(title="Triage at the front desk")
    first = feed(client, q="triage")
    etag, last_modified = first["ETag"], first["Last-Modified"]
    assert etag and last_modified
    again = client.get("/search/feed/", {"q": "triage"}, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    since = client.get("/search/feed/", {"q": "triage"}, HTTP_IF_MODIFIED_SINCE=last_modified)
    assert since.status_code == 304
    # A republished entry changes the feed: the reader's copy is stale.
    page.title = "Triage at the front desk, revised"
    page.save_revision().publish()
    changed = client.get("/search/feed/", {"q": "triage"}, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag


def test_a_bad_filter_answers_400_in_plain_text(client):
    response = client.get("/search/feed/", {"criterion": "no-such-criterion"})
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    body = response.content.decode()
    assert "no-such-criterion" in body and "<html" not in body.lower()
