"""The database backend's per-lexeme document frequencies (search.models.SearchLexeme), which
its IDF reads instead of counting matches: kept in step by indexing, re-indexing and removal,
and equal to a full recount."""

import pytest

from search import index
from search.backends import get_backend
from search.models import SearchLexeme

pytestmark = pytest.mark.django_db


def frequencies():
    return dict(SearchLexeme.objects.filter(documents__gt=0).values_list("lexeme", "documents"))


def test_indexing_reindexing_and_removal_keep_document_frequencies(indexed, postgres):
    first = indexed(title="Curfew checks", summary="Bail curfew checks.")
    indexed(title="Bail reviews", summary="Reviews of bail.")
    assert frequencies()["bail"] == 2
    assert frequencies()["curfew"] == 1

    # Indexing the same page again changes nothing.
    index.update(first.pk)
    index.update(first.pk)
    assert frequencies()["bail"] == 2

    # New text: its old words are taken out, its new ones put in.
    first.title = "Doorstep checks"
    first.summary = "Doorstep checks."
    first.save_revision().publish()
    index.update(first.pk)
    assert frequencies()["bail"] == 1
    assert "curfew" not in frequencies()
    assert frequencies()["doorstep"] == 1

    # Unpublished: removed from the index, and from the counts.
    first.unpublish()
    index.update(first.pk)
    assert "doorstep" not in frequencies()

    maintained = frequencies()
    get_backend("database").refresh_statistics()
    assert frequencies() == maintained


def test_rarer_words_still_weigh_more_after_an_edit(indexed, postgres):
    from search import service

    pages = [indexed(title=f"Grab packs {n}", summary="Grab packs.") for n in range(3)]
    indexed(title="Curfew checks", summary="Curfew checks.")
    # "grab" is common, "curfew" rare: the curfew page ranks first for both words.
    results = service.search("grab curfew", backend="database", log=False)
    assert results.hits[0].title == "Curfew checks"
    # Two grab pages become curfew pages: now "grab" is the rarer word.
    for page in pages[1:]:
        page.title = f"Curfew rounds {page.pk}"
        page.summary = "Curfew rounds."
        page.save_revision().publish()
        index.update(page.pk)
    results = service.search("grab curfew", backend="database", log=False)
    assert results.hits[0].title == "Grab packs 0"


def test_a_search_with_words_and_filters_costs_a_fixed_number_of_queries(
    indexed, postgres, django_assert_max_num_queries
):
    from search import service
    from taxonomy.models import Criterion, Theme

    online = Theme.objects.get(slug="online-abuse")
    initial = Criterion.objects.get(slug="initial-contact")
    for n in range(30):
        indexed(
            title=f"Grab packs {n}", summary="Grab packs.", themes=[online], criteria=[initial]
        )
    filters = {"theme": ["online-abuse"], "criterion": ["initial-contact", "investigation"]}
    service.search("grab packs", filters, backend="database", log=False)  # warms the glossary
    # Typo checks (1 a word), the words' statistics (1), count and every facet (1), the
    # ranking (1), the page with its highlights (1): however many documents match and filters
    # are ticked (one more full-text query per ticked facet, and one per word for IDF,
    # before). Facet labels and corpus statistics come from the cache once warm.
    with django_assert_max_num_queries(6):
        results = service.search("grab packs", filters, backend="database", log=False)
    assert results.count == 30
    criteria = next(f for f in results.facets if f.name == "criterion")
    assert {o.value: o.count for o in criteria.options}["initial-contact"] == 30


def test_on_a_small_index_idf_uses_the_exact_number_of_documents_matching_a_phrase(
    indexed, postgres, settings
):
    """The per-lexeme counts can only estimate a phrase (as common as its rarest word); the
    ranking's IDF is BM25's when it counts the documents holding the phrase itself, which it
    does while that number is small (here: always, the index is small)."""
    from search.backends.database.postgres.facets import count_and_facets
    from search.backends.database.postgres.matching import Matching
    from search.backends.database.postgres.plan import plan
    from search.backends.database.ranking import idf
    from search.models import Restriction, SearchDocument
    from search.query import parse

    indexed(title="Grab packs", summary="Grab packs for missing people.")
    for n in range(3):
        # Both words, never as the phrase.
        indexed(title=f"Packs and the grab rail {n}", summary="Packs by the grab rail.")
    total = SearchDocument.objects.count()

    def phrase_idf():
        planned = plan(parse('"grab packs" '))
        count_and_facets(Matching([Restriction.PUBLIC], planned, {}), planned)
        return planned.weighted[0].weight

    assert phrase_idf() == pytest.approx(idf(total, 1))
    # Above the limit (a large index), the estimate: as common as "grab" or "packs" (4).
    settings.SEARCH_EXACT_FREQUENCY_UP_TO = 0
    assert phrase_idf() == pytest.approx(idf(total, 4))
