"""Fixtures for search tests: practice pages put in the index, users who may or may not see
police-only content, and a way to restrict a page to police users."""

import pytest
from django.contrib.auth import get_user_model
from wagtail.models import PageViewRestriction

from portal import visibility
from search import index
from taxonomy.models import Theme

# Every backend runs the contract suite. An Elasticsearch backend joins by adding its name
# (and a fixture that starts its server) here.
BACKENDS = ["database", "database-portable"]


@pytest.fixture
def indexed(make_practice):
    """Create, publish and index a practice page (as the publish task would)."""

    def make(**overrides):
        # Neutral text and tags, so that only what a test sets can match its searches.
        fields = {
            "summary": "A short description.",
            "problem": "<p>Something was wrong.</p>",
            "approach": "<p>The force acted.</p>",
            "outcomes": "<p>Things improved.</p>",
            "implementation": "",
            "contact_role": "Inspector",
            "themes": [Theme.objects.get(slug="training")],
        }
        fields.update(overrides)
        page = make_practice(**fields)
        index.update(page.pk)
        return page

    return make


@pytest.fixture
def restrict_to_police():
    def restrict(page):
        restriction = PageViewRestriction.objects.create(
            page=page, restriction_type=PageViewRestriction.GROUPS
        )
        restriction.groups.set([visibility.police_group()])
        index.update(page.pk)
        return restriction

    return restrict


@pytest.fixture
def police_user(db):
    user = get_user_model().objects.create_user("officer", "officer@force.police.example", "pw")
    user.groups.add(visibility.police_group())
    return user


@pytest.fixture
def partner_user(db):
    return get_user_model().objects.create_user("partner", "partner@council.example", "pw")


# Elasticsearch: the contract suite (and tests/search/test_elasticsearch.py) run the
# elasticsearch backend against osmem-server, an in-memory OpenSearch-compatible server; each
# test gets a fresh copy-on-write clone of it.
BACKENDS.append("elasticsearch")


@pytest.fixture(scope="session")
def osmem_server():
    from osmem_server import OsmemError, OsmemServer

    from tests import services

    try:
        server = OsmemServer.start(japanese=False)
    except (OsmemError, OSError) as error:
        services.service_missing(f"osmem-server (test Elasticsearch) could not start: {error}")
    yield server
    server.close()


@pytest.fixture
def elasticsearch_backend(osmem_clone, settings):
    """Searches and index updates go to a fresh osmem clone through the elasticsearch backend,
    as production does with SEARCH_BACKEND = "elasticsearch"."""
    from search.backends import get_backend

    from .es_transport import CompatNode

    settings.ELASTICSEARCH_URL = osmem_clone.url
    settings.ELASTICSEARCH_CLIENT_OPTIONS = {"node_class": CompatNode}
    settings.SEARCH_BACKEND = "elasticsearch"
    backend = get_backend("elasticsearch")
    backend.ensure_index()
    return backend
