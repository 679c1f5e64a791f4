"""Searching: one request for a page of hits, their highlights and every facet's counts
(FacetedSearch), over the pages the user may see."""

from elasticsearch.dsl import FacetedSearch, TermsFacet

from ... import facets as facet_defs
from ...es_documents import PracticeDocument
from ..base import MARK_END, MARK_START, SORTS, BackendResult
from .client import alias
from .hits import highlight_of, to_hit
from .query import most_viewed, text_query

# More buckets than any facet has values (43 forces), so no value's count is cut off.
FACET_SIZE = 200
HIGHLIGHT_FRAGMENTS = 2
HIGHLIGHT_FRAGMENT_CHARS = 160


class PracticeSearch(FacetedSearch):
    """Facets whose counts ignore their own selection but respect every other one:
    FacetedSearch filters the hits with post_filter and each facet's aggregation with the other
    facets' filters."""

    doc_types = [PracticeDocument]
    facets = {
        name: TermsFacet(field=f"facets.{name}", size=FACET_SIZE)
        for name in facet_defs.FACET_NAMES
    }

    def __init__(self, request, using):
        self.request = request
        self.using = using
        self.index = alias()
        sort = request.sort
        if sort == "relevance" and not request.query.positive:
            sort = "newest"
        self.sort_name = sort
        super().__init__(request.query, request.filters, [])

    def search(self):
        s = super().search()
        # Exact totals: the count shown and the number of pages depend on it.
        s = s.extra(track_total_hits=True)
        return s.filter("terms", restriction=self.request.restrictions).source(
            excludes=["body", "vocabulary", "suggest", "keywords"]
        )

    def query(self, search, query):
        # FacetedSearch's default is a multi_match without fuzziness or prefixes.
        built = text_query(query)
        if self.sort_name == "most-viewed":
            built = most_viewed(built)
        return search.query(built)

    def highlight(self, search):
        return search.highlight(
            "summary",
            "body",
            number_of_fragments=HIGHLIGHT_FRAGMENTS,
            fragment_size=HIGHLIGHT_FRAGMENT_CHARS,
        ).highlight_options(pre_tags=[MARK_START], post_tags=[MARK_END], encoder="default")

    def build_search(self):
        s = super().build_search()
        if self.request.query.positive:
            s = self.highlight(s)
        return s

    def sort(self, search):
        newest = [{"published_date": "desc"}, {"page_id": "desc"}]
        if self.sort_name == "newest":
            return search.sort(*newest)
        return search.sort("_score", *newest)


def search(client, request):
    if request.sort not in SORTS:
        raise ValueError(f"Unknown sort {request.sort!r}")
    faceted = PracticeSearch(request, client)
    faceted = faceted[request.offset : request.offset + request.limit]
    response = faceted.execute()
    counts = {}
    for name in facet_defs.FACET_NAMES:
        buckets = response.aggregations[f"_filter_{name}"][name].buckets
        counts[name] = {b.key: b.doc_count for b in buckets if b.doc_count}
    hits = [to_hit(hit.to_dict(), hit.meta.score, highlight_of(hit)) for hit in response.hits]
    return BackendResult(response.hits.total.value, hits, counts)
