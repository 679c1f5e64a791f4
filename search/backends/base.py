"""The contract between the search service and a backend.

A backend stores documents (search.documents.Document) and answers SearchRequests. The service
does everything else (parsing, glossary expansion, validating filters, logging, who may see
what), so a new backend implements only the methods below and joins the parametrisation of
tests/search/test_contract.py. Highlights are plain text with MARK_START/MARK_END around the
matched words; the service escapes the text and turns the markers into <mark> elements.
"""

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import date

from ..query import ParsedQuery

MARK_START, MARK_END = "\x02", "\x03"
SORTS = ("relevance", "newest", "most-viewed")


@dataclass
class SearchRequest:
    query: ParsedQuery
    filters: dict[str, list[str]]  # facet -> values, already validated
    sort: str  # one of SORTS; "relevance" with no words means newest
    offset: int
    limit: int
    restrictions: list[str]  # the Restriction levels the user may see


@dataclass
class Hit:
    page_id: int
    external_id: str
    title: str
    url: str
    summary: str
    force: str
    published_date: date
    highlight: str = ""  # plain text with MARK_START/MARK_END markers
    score: float = 0.0


@dataclass
class BackendResult:
    count: int
    hits: list[Hit]
    # facet -> {value: count}: each facet counted over the matches filtered by every *other*
    # facet, so ticking a value never hides its siblings.
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    # Estimates (from a sample of a very large match set) rather than exact counts: the page
    # then says "about".
    count_approximate: bool = False
    facets_approximate: bool = False


class SearchBackend(ABC):
    name = ""
    # Errors meaning "the backend cannot be reached": the service then answers from the
    # database backend instead of failing. The database backend itself has none.
    unavailable_errors: tuple[type[Exception], ...] = ()

    @abstractmethod
    def upsert(self, documents):
        """Add or replace these documents (search.documents.Document). Safe to repeat."""

    @abstractmethod
    def delete(self, page_ids):
        """Remove these pages from the index; unknown ids are ignored."""

    @abstractmethod
    def clear(self):
        """Remove every document."""

    @abstractmethod
    def rebuild(self, page_ids, build, out=None):
        """Index exactly these pages (`build(page_id)`: a Document, or None for a page not
        to index), removing every other document. The new index is built aside and swapped
        in, so that searches meanwhile are answered from the old one. `out` takes progress
        lines; returns the number of documents loaded."""

    @abstractmethod
    def search(self, request: SearchRequest) -> BackendResult:
        """Matches ORed across clauses (more matching clauses rank higher), minus negated
        clauses; filters OR within a facet and AND across facets; only documents whose
        restriction is in request.restrictions."""

    @abstractmethod
    def suggest(self, prefix, restrictions, limit):
        """Titles (with url) of visible documents that complete what was typed."""

    @abstractmethod
    def related(self, page_id, restrictions, limit):
        """Visible documents most like this page (sharing tags, then newest): Hits."""

    @abstractmethod
    def corrections(self, words, restrictions):
        """{word: closest known word} for typed words that no document the user may see
        (restriction in `restrictions`) holds; the closest word comes from such a document."""
