"""Fixtures shared by every test folder: the site tree, users, taxonomy and content."""

import datetime as dt
import json
from pathlib import Path

import pytest
from django.utils import timezone
from wagtail.models import Site

from tests import services

SAMPLE_DATA = Path(__file__).resolve().parent.parent / "sample_data"


@pytest.fixture
def sample_data():
    """The sample corpus shipped in the repository (sample_data/): fictional case studies and
    events in the import format."""
    return SAMPLE_DATA


@pytest.fixture
def sink(settings):
    """A real SMTP server on localhost (tests/smtp.py); Django's SMTP backend points at it."""
    from tests.smtp import running_sink

    with running_sink(settings) as running:
        yield running


@pytest.fixture(autouse=True)
def uncached_search_data():
    """Facet labels, corpus statistics and the navigation's listings are cached (in Redis)
    across requests, and would outlive the rows a test adds and rolls back: each test starts
    without them."""
    if services.redis_reachable():
        from django.core.cache import cache

        from portal import navigation
        from search import facets
        from search.backends import database

        facets.invalidate_labels()
        cache.delete(database.CORPUS_STATISTICS_KEY)
        cache.delete(navigation.CACHE_KEY)


@pytest.fixture
def postgres():
    services.require_postgres()


@pytest.fixture
def redis_available():
    services.require_redis()


@pytest.fixture
def home_page(db):
    return Site.objects.get(is_default_site=True).root_page.specific


@pytest.fixture
def practice_index(home_page):
    from practice.models import PracticeIndexPage

    return PracticeIndexPage.objects.first() or home_page.add_child(
        instance=PracticeIndexPage(title="Notable practice", slug="practice")
    )


@pytest.fixture
def event_index(home_page):
    from events.models import EventIndexPage

    return EventIndexPage.objects.first() or home_page.add_child(
        instance=EventIndexPage(title="Learning events", slug="events")
    )


@pytest.fixture
def make_practice(practice_index):
    """Create and publish a practice page; keyword arguments override the defaults."""
    from practice.models import PracticePage
    from taxonomy.models import Audience, Criterion, EvidenceLevel, Organisation, Theme

    counter = {"n": 0}

    def make(**overrides):
        counter["n"] += 1
        criteria = overrides.pop("criteria", [Criterion.objects.get(slug="initial-contact")])
        themes = overrides.pop("themes", [Theme.objects.get(slug="missing-children")])
        audiences = overrides.pop("audiences", [Audience.objects.get(slug="frontline-response")])
        fields = {
            "title": f"Practice number {counter['n']}",
            "summary": "A link officer for every children's home reduces repeat episodes.",
            "force": Organisation.objects.get(slug="avon-and-somerset-constabulary"),
            "problem": "<p>Children in homes were reported missing far more often.</p>",
            "approach": "<p>Each home has a named link officer who visits monthly.</p>",
            "outcomes": "<p>Repeat reports fell by 31% over 18 months.</p>",
            "implementation": "<p>Map every home with the council first.</p>",
            "evidence_level": EvidenceLevel.objects.get(slug="promising"),
            "contact_role": "Inspector, Missing Persons Unit",
            "published_date": dt.date(2025, 3, 1),
        }
        fields.update(overrides)
        page = PracticePage(**fields)
        practice_index.add_child(instance=page)
        page.criteria.set(criteria)
        page.themes.set(themes)
        page.audiences.set(audiences)
        page.save_revision().publish()
        return page

    return make


@pytest.fixture
def make_event(event_index):
    """Create and publish an event page; keyword arguments override the defaults."""
    from events.models import EventPage
    from taxonomy.models import Criterion, EventFormat, Region

    counter = {"n": 0}

    def make(**overrides):
        counter["n"] += 1
        criteria = overrides.pop("criteria", [Criterion.objects.get(slug="initial-contact")])
        start = overrides.pop("start", timezone.now() + dt.timedelta(days=30))
        fields = {
            "title": f"Event number {counter['n']}",
            "summary": "A webinar on missing children.",
            "description": "<p>Speakers from two forces.</p>",
            "start": start,
            "end": start + dt.timedelta(hours=2),
            "format": EventFormat.objects.get(slug="online"),
            "region": Region.objects.get(slug="national"),
            "capacity": 50,
        }
        fields.update(overrides)
        page = EventPage(**fields)
        event_index.add_child(instance=page)
        page.criteria.set(criteria)
        page.save_revision().publish()
        return page

    return make


def read_jsonl(path):
    return [
        json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line
    ]


@pytest.fixture(scope="session", autouse=True)
def close_stray_database_sessions(django_db_setup, django_db_blocker):
    """Worker and live-server threads keep their own database connections open; end them after
    the last test so that the test database can be dropped."""
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
