"""The database backend's bounds for large indexes (PostgreSQL): a bounded candidate set for
the full score, facet counts (and, above a limit, the count) estimated from a sample and
marked "about", long pasted queries cut to their most distinctive words, and the columns a
bulk load gets derived afterwards.

The limits are settings (SEARCH_EXACT_UP_TO, SEARCH_SAMPLE_SIZE, SEARCH_RANK_CANDIDATES),
lowered here so that a few dozen pages behave as tens of thousands do."""

import datetime as dt

import pytest

from search import service
from search.backends import get_backend
from search.models import SearchDocument
from taxonomy.models import Criterion, Theme

pytestmark = pytest.mark.django_db


def run(query="", filters=None, **kwargs):
    return service.search(query, filters, backend="database", log=False, **kwargs)


def result_count(page):
    return page.split('id="result-count">')[1].split("</h2>")[0]


def snapshot(results):
    facets = {f.name: {o.value: o.count for o in f.options} for f in results.facets}
    return [hit.title for hit in results.hits], results.count, facets


@pytest.fixture
def corpus(indexed, postgres):
    """40 pages about grab packs: a few with the words in the title, most in the body only,
    tagged with two themes and two criteria."""
    online = Theme.objects.get(slug="online-abuse")
    training = Theme.objects.get(slug="training")
    initial = Criterion.objects.get(slug="initial-contact")
    investigation = Criterion.objects.get(slug="investigation")
    for n in range(36):
        indexed(
            title=f"Practice note {n}",
            approach=f"<p>Officers carry grab packs on patrol, note {n}.</p>",
            themes=[online if n % 3 else training],
            criteria=[initial if n % 2 else investigation],
        )
    for n in range(4):
        indexed(
            title=f"Grab packs for missing children {n}",
            summary="Grab packs with a photograph and contacts.",
            themes=[online],
            criteria=[initial],
        )


def test_a_small_index_is_counted_and_ranked_exactly(corpus, settings):
    """Below the limits nothing is estimated, and lowering the candidate limit to a handful
    still puts the pages with the words in their title first (the cheap first pass reads
    titles and summaries), in the order the full score gives."""
    exact = run("grab packs")
    assert exact.count == 40
    assert not exact.count_approximate and not exact.facets_approximate
    assert sorted(exact.hits[i].title for i in range(4)) == [
        f"Grab packs for missing children {n}" for n in range(4)
    ]

    settings.SEARCH_RANK_CANDIDATES = 5
    bounded = run("grab packs", per_page=4)
    assert [hit.title for hit in bounded.hits] == [hit.title for hit in exact.hits[:4]]
    # The count and facets do not depend on how many are ranked.
    assert snapshot(run("grab packs"))[1:] == snapshot(exact)[1:]


def test_filtered_counts_match_the_portable_mode(corpus):
    """The facet values stored on each document (facet_values) give the same filters and
    counts as the SearchFacet rows the portable mode reads."""
    filters = {"theme": ["online-abuse"], "criterion": ["initial-contact"]}
    database = snapshot(service.search("grab", filters, backend="database", log=False))
    portable = snapshot(service.search("grab", filters, backend="database-portable", log=False))
    assert database[1:] == portable[1:]


def test_above_the_limit_facet_counts_are_estimates_and_say_about(corpus, settings, client):
    settings.SEARCH_EXACT_UP_TO = 5
    settings.SEARCH_SAMPLE_SIZE = 20
    results = run("grab packs")
    assert results.facets_approximate
    # 40 matches, over twice the limit: the count is an estimate too.
    assert results.count_approximate
    assert results.count > 5
    themes = {o.value: o.count for f in results.facets if f.name == "theme" for o in f.options}
    assert themes.get("online-abuse", 0) > 0
    # The best pages are still found and ranked first.
    assert results.hits[0].title.startswith("Grab packs for missing children")

    page = client.get("/search/", {"q": "grab packs"}).content.decode()
    assert result_count(page).startswith("About ")
    assert "(about " in page

    data = client.get("/api/v1/search", {"q": "grab packs"}).json()
    assert data["count_approximate"] is True
    assert all(value["approximate"] for value in data["facets"]["theme"])


def test_a_narrow_filter_keeps_the_count_exact_above_the_limit(corpus, settings):
    """Many pages match the words (40, twice the limit), but few the filter: the count is
    still exact (the sample says the filtered matches are within the limit, so they are
    counted), only the facets are estimates."""
    settings.SEARCH_EXACT_UP_TO = 20
    settings.SEARCH_SAMPLE_SIZE = 30
    filters = {"theme": ["training"]}
    exact = 12  # pages 0, 3, ..., 33: every third practice note
    results = run("grab packs", filters)
    assert results.facets_approximate
    assert not results.count_approximate
    assert results.count == exact
    assert len(results.hits) == exact


def test_below_the_limit_the_page_and_api_give_plain_counts(corpus, client):
    page = client.get("/search/", {"q": "grab packs"}).content.decode()
    assert result_count(page) == "40 results"
    assert "(about " not in page
    data = client.get("/api/v1/search", {"q": "grab packs"}).json()
    assert data["count_approximate"] is False
    assert not any(value["approximate"] for value in data["facets"]["theme"])


def test_a_pasted_paragraph_is_answered_from_its_rarest_words(indexed, postgres):
    indexed(title="Curfew doorstep checks", summary="Bail curfew checks at the doorstep.")
    for n in range(5):
        indexed(title=f"Children's homes {n}", summary="Missing children from homes.")
    # 14 different words, most of them on every page: only the 8 rarest are matched and
    # ranked, and the two that pick out one page are among them.
    common = "children homes missing short description something wrong force acted things"
    results = run(f"{common} curfew improved inspector doorstep")
    assert results.hits[0].title == "Curfew doorstep checks"


def test_rows_written_without_upsert_get_their_derived_columns(indexed, postgres):
    """A bulk load writes text and vectors straight into the table (benchmarks do);
    refresh_statistics derives the head vector and facet values it did not write, so
    filters and ranking find those rows."""
    online = Theme.objects.get(slug="online-abuse")
    page = indexed(title="Sextortion response", themes=[online])
    SearchDocument.objects.filter(page_id=page.pk).update(head_vector=None, facet_values=[])
    assert run("sextortion", {"theme": ["online-abuse"]}).count == 0

    get_backend("database").refresh_statistics()
    results = run("sextortion", {"theme": ["online-abuse"]})
    assert [hit.title for hit in results.hits] == ["Sextortion response"]


def statement_plans(run_search):
    """EXPLAIN of each statement the search runs (without its SET LOCAL wrapper), planned as
    on a large index: sequential scans priced out, as they are when the table has 100,000
    rows rather than a test's few dozen."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        run_search()
    plans = []
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        for query in captured.captured_queries:
            statements = [s for s in query["sql"].split("; ") if not s.startswith("SET LOCAL")]
            for statement in statements:
                if statement.startswith(("SELECT", "WITH", "(SELECT")):
                    cursor.execute("EXPLAIN " + statement)
                    plans.append((statement, "\n".join(row[0] for row in cursor.fetchall())))
        cursor.execute("SET LOCAL enable_seqscan = DEFAULT")
    return plans


def test_the_newest_first_listing_is_read_in_index_order(corpus):
    # The empty query (the search page before anything is typed) sorted every document to
    # show the first 20: 40 ms at 100,000 documents. Read in index order, 20 rows are enough.
    plans = statement_plans(lambda: run(""))
    (listing,) = [plan for sql, plan in plans if "ORDER BY d.published_date" in sql]
    assert "search_doc_newest_first" in listing, listing
    assert "Sort" not in listing, listing


def test_suggestions_complete_the_start_of_title_words(indexed, postgres):
    indexed(title="Custody suites for children", published_date=dt.date(2020, 1, 1))
    indexed(title="Discussion groups in custody", published_date=dt.date(2024, 1, 1))
    indexed(title="Discussion groups", published_date=dt.date(2025, 1, 1))
    suggestions = {s["title"] for s in service.suggest("cus")["practice"]}
    # "cus" starts "custody" in two titles; inside "discussion" it starts no word.
    assert suggestions == {"Discussion groups in custody", "Custody suites for children"}
    # The closest to all that was typed first, whatever the date.
    assert service.suggest("custody suit")["practice"][0]["title"] == "Custody suites for children"
