"""The search page, its feed, suggestions, the glossary page, and what search adds to practice
pages, the navigation and the home page, as a reader sees them."""

import xml.etree.ElementTree as ET

import pytest
from django.core.cache import cache
from django.test import Client

from practice.models import PracticePage
from search.models import GlossaryTerm, PageViewCount
from taxonomy.models import Criterion, Theme

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(autouse=True)
def clear_cache():
    # Rate-limit counters and the cached glossary live in the cache.
    cache.clear()


def test_search_page_shows_results_facets_and_filters_kept_in_links(client, indexed):
    missing = Theme.objects.get(slug="missing-children")
    online = Theme.objects.get(slug="online-abuse")
    indexed(title="Return interviews for missing children", themes=[missing])
    indexed(
        title="Online grooming and missing children",
        summary="Children missing after contact online.",
        themes=[online],
    )
    response = client.get("/search/", {"q": "missing", "theme": "online-abuse"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "1 result" in html
    assert "Online grooming and missing children" in html
    assert "Return interviews for missing children" not in html
    assert "<mark>" in html
    # The theme facet still offers the other theme, with its count, and ticks the chosen one.
    assert (
        'id="theme-missing-children" name="theme" type="checkbox" value="missing-children">'
        in html
    )
    assert 'value="online-abuse" checked' in html
    assert "Missing and absent children <span" in html and "(1<span" in html
    # Removing the filter keeps the words; clearing all keeps the words too.
    assert 'href="/search/?q=missing">Remove' in html
    assert 'href="/search/?q=missing">Clear all filters' in html
    assert 'href="/search/feed/?q=missing&amp;theme=online-abuse"' in html


def test_search_page_says_what_it_corrected_and_pages(client, indexed, settings):
    settings.SEARCH_RESULTS_PER_PAGE = 2
    for n in range(5):
        indexed(title=f"Safeguarding hub {n}")
    html = client.get("/search/", {"q": "safegaurding"}).content.decode()
    # The results already include the corrected word, so the page says so.
    assert "Showing results for <strong>safeguarding</strong>" in html
    assert 'href="/search/?q=safeguarding">Search for safeguarding only</a>' in html
    assert "5 results" in html
    assert 'aria-label="Pagination"' in html
    page3 = client.get("/search/", {"q": "safeguarding", "page": "3"}).content.decode()
    assert page3.count("Safeguarding hub") == 1


def test_bad_parameters_are_explained_never_a_server_error(client, indexed):
    indexed(title="Grab packs")
    for params in (
        {"criterion": "no-such-criterion"},
        {"page": "abc"},
        {"page": "0"},
        {"page": "9999"},
        {"sort": "sideways"},
        {"year": "20x4"},
    ):
        response = client.get("/search/", params)
        assert response.status_code == 400, params
        html = response.content.decode()
        assert "There is a problem" in html
        assert "Grab packs" in html  # everything is shown instead


@pytest.mark.parametrize(
    ("params", "message"),
    [
        # PostgreSQL refuses a NUL byte: this was a server error.
        ({"q": "grab\u0000packs"}, "The search must not contain control characters"),
        ({"q": "grab\u0001"}, "The search must not contain control characters"),
        # int() reads other scripts' digits; a page number is ASCII digits.
        ({"page": "\u0663"}, "Page must be a whole number"),
        ({"page": "+2"}, "Page must be a whole number"),
        ({"year": "20\u0662\u0664"}, "is not a year"),
    ],
)
def test_unsearchable_words_and_odd_numbers_are_explained_with_a_400(
    client, indexed, params, message
):
    indexed(title="Grab packs")
    response = client.get("/search/", params)
    assert response.status_code == 400
    html = response.content.decode()
    assert "govuk-error-summary" in html and message in html
    assert "Grab packs" in html  # everything is shown instead


@pytest.mark.parametrize("query", ["a\u0000b", "a\u0001b", "a\u000bb", "a\u001bb"])
def test_the_feed_and_suggestions_refuse_control_characters_with_a_400(client, indexed, query):
    indexed(title="Grab packs")
    # XML cannot hold these: the feed's title quotes the words, and was a server error.
    assert client.get("/search/feed/", {"q": query}).status_code == 400
    suggestions = client.get("/search/suggest/", {"q": query})
    assert suggestions.status_code == 400
    assert "control characters" in suggestions.json()["detail"]


def test_search_page_query_count_does_not_grow_with_results(
    client, indexed, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    missing = Theme.objects.get(slug="missing-children")
    indexed(title="Missing one", themes=[missing])
    client.get("/search/", {"q": "missing"})
    with CaptureQueriesContext(connection) as few:
        client.get("/search/", {"q": "missing", "theme": "missing-children"})
    queries = len(few.captured_queries)  # before the next request resets the log
    for n in range(15):
        indexed(title=f"Missing {n}", themes=[missing])
    # Indexing drops the cached corpus statistics: one search reads them again.
    client.get("/search/", {"q": "missing"})
    with django_assert_max_num_queries(queries):
        response = client.get("/search/", {"q": "missing", "theme": "missing-children"})
    assert "16 results" in response.content.decode()


def test_atom_feed_of_a_filtered_search_has_public_practice_only(
    client, indexed, restrict_to_police, police_user
):
    initial = Criterion.objects.get(slug="initial-contact")
    investigation = Criterion.objects.get(slug="investigation")
    indexed(title="Triage at the front desk", criteria=[initial], external_id="prac-1")
    indexed(title="Triage in investigations", criteria=[investigation])
    restrict_to_police(indexed(title="Covert triage", criteria=[initial]))
    client.force_login(police_user)
    response = client.get("/search/feed/", {"q": "triage", "criterion": "initial-contact"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)  # noqa: S314 - our own feed
    entries = feed.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text for e in entries] == ["Triage at the front desk"]
    page = PracticePage.objects.get(external_id="prac-1")
    assert entries[0].find(f"{ATOM}id").text == f"urn:uuid:{page.translation_key}"
    assert client.get("/search/feed/", {"criterion": "nope"}).status_code == 400


def test_suggestions_endpoint_completes_titles_and_acronyms(client, indexed):
    indexed(title="Grab packs for children's homes")
    data = client.get("/search/suggest/", {"q": "grab pa"}).json()
    assert data["practice"][0]["title"] == "Grab packs for children's homes"
    assert data["practice"][0]["url"].startswith("/")
    data = client.get("/search/suggest/", {"q": "mas"}).json()
    assert {"term": "MASH", "meaning": "Multi-Agency Safeguarding Hub"} in data["terms"]
    assert client.get("/search/suggest/", {"q": "x"}).json() == {"terms": [], "practice": []}


def test_glossary_page_lists_the_shipped_terms(client):
    assert GlossaryTerm.objects.filter(term="MARAC").exists()
    html = client.get("/glossary/").content.decode()
    assert '<abbr title="Multi-Agency Risk Assessment Conference">MARAC</abbr>' in html
    assert "runaway" in html


def test_practice_page_explains_acronyms_on_first_use_and_lists_related_practice(client, indexed):
    page = indexed(
        title="Police in the MASH",
        summary="Officers sit in the MASH every day. CSE referrals go there too.",
        problem="<p>The MASH was slow.</p>",
    )
    related = indexed(title="Hub triage")
    html = client.get(page.url).content.decode()
    title = '<abbr title="Multi-Agency Safeguarding Hub">MASH</abbr>'
    assert html.count(title) == 1
    assert '<abbr title="child sexual exploitation">CSE</abbr>' in html
    # The first use in the text is explained (the page heading is not), later ones are not.
    assert "Officers sit in the " + title in html
    assert "The MASH was slow." in html
    assert "Related practice" in html
    assert f'href="{related.url}">Hub triage</a>' in html


def test_practice_page_views_are_counted_once_per_visitor_a_day(client, indexed):
    page = indexed(title="Counted")
    client.get(page.url)
    client.get(page.url)
    assert PageViewCount.objects.get(page_id=page.pk).views == 1
    Client(REMOTE_ADDR="198.51.100.7").get(page.url)
    assert PageViewCount.objects.get(page_id=page.pk).views == 2


def test_navigation_and_home_page_lead_to_search(client, home_page, practice_index):
    html = client.get("/").content.decode()
    assert 'href="/search/"' in html
    assert 'action="/search/"' in html and 'name="q"' in html
    html = client.get("/search/").content.decode()
    assert 'href="/search/" aria-current="page">Search</a>' in html
