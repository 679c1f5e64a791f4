"""/practice/ and /search/ are one finder (GOV.UK finder-frontend style), as a reader sees it:
the same filter groups with counts, the same sort and button, and the same results."""

import re
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.cache import cache

from newsletters import saved_searches
from taxonomy.models import EvidenceLevel, Theme

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clear_cache():
    cache.clear()


class FinderParser(HTMLParser):
    """The finder's controls: filter groups (id of each <details>), checkbox labels, the
    sort's options, the buttons and the links."""

    def __init__(self):
        super().__init__()
        self.groups, self.buttons, self.sorts, self.links = [], [], [], {}
        self._in = None
        self._href = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "details" and (attrs.get("id") or "").startswith("filter-"):
            self.groups.append(attrs["id"])
        elif tag == "button":
            self._in = ("button", attrs.get("class"))
        elif tag == "option" and self._in is None:
            self.sorts.append(attrs["value"])
        elif tag == "a":
            self._href, self._text = attrs.get("href"), ""

    def handle_data(self, data):
        if self._in and self._in[0] == "button":
            self.buttons.append((data.strip(), self._in[1]))
            self._in = None
        if self._href is not None:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "a" and self._href is not None:
            self.links[" ".join(self._text.split())] = self._href
            self._href = None


def parsed(html):
    parser = FinderParser()
    parser.feed(html)
    return parser


def test_practice_and_search_show_the_same_filter_groups_sort_and_button(
    client, indexed, practice_index
):
    indexed(title="Return interviews")
    listing = client.get(practice_index.url).content.decode()
    search = client.get("/search/").content.decode()
    practice_finder, search_finder = parsed(listing), parsed(search)
    expected = [
        "filter-criterion",
        "filter-theme",
        "filter-audience",
        "filter-force",
        "filter-region",
        "filter-evidence",
        "filter-outcome",
        "filter-stage",
        "filter-year",
    ]
    assert practice_finder.groups == expected
    assert search_finder.groups == expected
    assert ("Apply filters", "govuk-button") in practice_finder.buttons
    assert ("Apply filters", "govuk-button") in search_finder.buttons
    assert "newest" in practice_finder.sorts and "newest" in search_finder.sorts
    # Every value has its count, on both.
    for html in (listing, search):
        assert "Avon and Somerset Constabulary <span" in html
        assert "(1<span" in html
        assert "1 result" in html
    # Page titles follow the same pattern.
    assert f"<title>{practice_index.title} – Safeguarding Practice Exchange</title>" in listing
    assert "<title>Search notable practice – Safeguarding Practice Exchange</title>" in search


def test_counts_follow_the_other_filters_and_ticking_keeps_siblings(
    client, make_practice, practice_index
):
    missing = Theme.objects.get(slug="missing-children")
    online = Theme.objects.get(slug="online-abuse")
    make_practice(title="Alpha", themes=[missing], outcome="worked")
    make_practice(title="Bravo", themes=[missing], outcome="did-not-work")
    make_practice(title="Charlie", themes=[online], outcome="worked")
    html = client.get(practice_index.url, {"outcome": "worked"}).content.decode()
    assert "2 results" in html
    # Theme counts are over the "worked" practice; outcome counts ignore the outcome filter.
    count = r'<span class="portal-facet-count">\((\d+)<'
    assert re.search(r'for="theme-missing-children">[^<]+' + count, html)[1] == "1"
    assert re.search(r'for="outcome-did-not-work">Didn&#x27;t work ' + count, html)[1] == "1"
    assert 'value="worked" checked' in html
    links = parsed(html).links
    assert links["Remove filter Outcome: Worked"] == practice_index.url


def test_each_result_shows_its_outcome_and_evidence_level(client, indexed, practice_index):
    indexed(
        title="Night patrols that did not help",
        outcome="did-not-work",
        evidence_level=EvidenceLevel.objects.get(slug="promising"),
    )
    for url in (practice_index.url, "/search/?q=patrols"):
        html = client.get(url).content.decode()
        assert "<dt>Outcome:</dt>" in html and "Didn&#x27;t work</strong>" in html, url
        assert "<dt>Evidence level:</dt> <dd>Promising</dd>" in html, url


def test_every_filtered_view_offers_subscribe_to_this_search(client, indexed, practice_index):
    indexed(title="Return interviews", outcome="did-not-work")
    for url, params in (
        (practice_index.url, {"outcome": "did-not-work"}),
        ("/search/", {"q": "interviews", "outcome": "did-not-work"}),
    ):
        html = client.get(url, params).content.decode()
        link = parsed(html).links["Subscribe to this search"]
        query = parse_qs(urlsplit(link.replace("&amp;", "&")).query)
        assert query["listing"] == ["practice"]
        assert query["search"] == ["outcome=did-not-work"]
        subscribe = client.get(link.replace("&amp;", "&")).content.decode()
        assert "Outcome: Didn&#x27;t work" in subscribe
    # Unfiltered, there is nothing to subscribe to.
    assert "Subscribe to this search" not in client.get(practice_index.url).content.decode()


def test_saved_searches_match_on_the_new_filters(make_practice):
    kept = saved_searches.clean_search("practice", "outcome=did-not-work&year=2025&page=3")
    assert kept == "outcome=did-not-work&year=2025"
    assert saved_searches.describe_search("practice", kept) == (
        "Notable practice, Outcome: Didn't work; Year published: 2025"
    )
    with pytest.raises(ValueError):
        saved_searches.clean_search("practice", "year=20x5")


def test_snippets_keep_a_space_between_paragraphs(client, indexed):
    indexed(
        title="Return interviews",
        problem="<p>Nobody asked where they had been.</p><p>Returning children said little.</p>",
    )
    html = client.get("/search/", {"q": "returning"}).content.decode()
    assert "<mark>Returning</mark>" in html
    assert re.search(r"been\.\s+<mark>Returning</mark>", html)


def test_a_page_past_the_last_says_so_and_offers_the_first(client, indexed):
    for n in range(3):
        indexed(title=f"Grab packs {n}")
    response = client.get("/search/", {"page": "2"})
    html = response.content.decode()
    assert "3 results" in html
    assert "No practice has been published yet" not in html
    assert parsed(html).links["Go to the first page"] == "/search/"


def test_words_typed_on_the_practice_listing_are_searched_with_its_filters(client, practice_index):
    response = client.get(practice_index.url, {"q": "grab packs", "outcome": "worked"})
    assert response.status_code == 302
    assert response["Location"] == "/search/?q=grab+packs&outcome=worked"


def test_bad_filters_and_sort_on_the_listing_are_explained(client, make_practice, practice_index):
    make_practice(title="Alpha")
    html = client.get(practice_index.url, {"year": "20x4", "sort": "sideways"}).content.decode()
    assert "There is a problem" in html
    assert "Year published: &#x27;20x4&#x27; is not a year" in html
    assert "Sort must be Newest or Most viewed" in html
    assert 'href="#filter-year"' in html
    assert "Alpha" in html


def test_restricted_practice_is_neither_listed_nor_counted(
    client, make_practice, practice_index, restrict_to_police, police_user
):
    online = Theme.objects.get(slug="online-abuse")
    make_practice(title="Public practice")
    restrict_to_police(make_practice(title="Police-only practice", themes=[online]))
    html = client.get(practice_index.url).content.decode()
    assert "1 result" in html and "Police-only practice" not in html
    assert 'id="theme-online-abuse"' not in html
    client.force_login(police_user)
    html = client.get(practice_index.url).content.decode()
    assert "2 results" in html and 'id="theme-online-abuse"' in html
