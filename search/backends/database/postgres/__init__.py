"""Searching on PostgreSQL: full-text search whose work is bounded, whatever the size of the
index (at 100,000 documents a common word matches 60% of them, and reading every matching
TOASTed vector, to count and to rank, took seconds):

- Matching (matching.py, query.py): the GIN index answers a loose form of the query (a
  phrase's words merely all present); the exact form, with the proximity alternatives of
  glossary phrases, is checked only on the rows found (its many phrase operators made the
  index scan itself slow). Phrases that cannot change what matches (a glossary phrase holding
  a word that is itself an alternative) are left out of matching.
- Count and facets (facets.py): one statement over the matches when at most
  SEARCH_EXACT_UP_TO match; beyond, the facet counts come from a sample of about
  SEARCH_SAMPLE_SIZE matches (an indexed hash of page_id, so only the sampled rows are read;
  the sample's own small GIN indexes answer its words), scaled up and flagged approximate
  ("about" on the page and in the API). The sample matches the loose query; the exact one is
  checked on a quarter of it, whose share of exact matches scales the counts. The count stays
  exact while the sample puts the filtered matches within the limit, and is estimated beyond.
  Each document carries its facet values (facet_values, indexed as an array), so neither
  filters nor counts join SearchFacet.
- Ranking (candidates.py, ../ranking.py): the full score is computed for at most
  SEARCH_RANK_CANDIDATES documents, picked by a cheap first pass over head_vector (title and
  summary, kept in the row); over a very large match set the first pass too reads a sample,
  documents with every clause in their title or summary first. Below the candidate limit (any
  corpus of a few hundred documents) the ranking is exactly the full score's. Newest first and
  most viewed are read in index order.
- Plan (plan.py): a pasted paragraph keeps its MAX_RANKED_CLAUSES most distinctive clauses
  (highest IDF). IDF uses the exact number of documents matching a clause (or a phrase of the
  bonus) when that is at most SEARCH_EXACT_FREQUENCY_UP_TO (always, on an index that small),
  counted within the count-and-facets statement; commoner clauses keep the per-lexeme
  estimate (../statistics.py).

Every statement runs without parallel workers (../sql.py). Highlights come from ts_headline,
computed for the returned page only.
"""

from django.db.models.expressions import RawSQL

from ....models import SearchDocument
from ...base import BackendResult
from ..hits import HEADLINE_OPTIONS, HIT_FIELDS, to_hits
from .candidates import ordered, ranked
from .facets import count_and_facets
from .matching import Matching
from .plan import plan as plan_query


def search(request):
    """Count, facets and the page of results in three statements (plus the statistics and
    the highlights), each reading a bounded number of rows however many match."""
    from ....facets import FACET_NAMES

    query = request.query
    plan = plan_query(query)
    if plan is None:  # only stop words ("the", "and"): nothing can match them
        return BackendResult(0, [], {name: {} for name in FACET_NAMES})
    matching = Matching(request.restrictions, plan, request.filters)
    if request.sort != "relevance":
        plan.exact_frequencies = []  # only the ranking reads them
    counted = count_and_facets(matching, plan)
    if request.sort == "relevance" and plan.weighted:
        rows = ranked(matching, plan, counted, request)
    else:
        rows = ordered(matching, request)
    # The page's rows with their highlights in one statement, without the columns a hit
    # does not show (the vectors and the body are TOASTed: each read is a fetch and a
    # decompression; ts_headline reads the body in SQL).
    documents = SearchDocument.objects.filter(pk__in=[pk for pk, _ in rows]).only(*HIT_FIELDS)
    tsquery = plan.loose or plan.positive
    if tsquery and rows:
        documents = documents.annotate(
            highlight=RawSQL(
                "ts_headline('english', summary || E'\\n' || body, to_tsquery('english', %s), %s)",
                [tsquery, HEADLINE_OPTIONS],
            )
        )
    by_id = {doc.pk: doc for doc in documents}
    page = []
    for pk, rank in rows:
        if pk in by_id:  # unless deleted since
            by_id[pk].rank = rank
            page.append(by_id[pk])
    highlights = {doc.pk: doc.highlight for doc in page if hasattr(doc, "highlight")}
    return BackendResult(
        counted.count,
        to_hits(page, highlights),
        counted.facets,
        count_approximate=counted.count_approximate,
        facets_approximate=counted.facets_approximate,
    )
