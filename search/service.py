"""The one search service: search(query, filters, sort, page, user).

Parses the query, expands it with the glossary, corrects typos, validates filters, asks the
configured backend, logs the search (with personal data taken out: search.analytics) and
returns what a page or the API shows. Only documents the user may see are ever returned.
"""

import logging
import math
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.utils.html import escape
from django.utils.safestring import mark_safe

from portal.finder import FacetOption, FacetResult
from portal.visibility import levels_for

from . import analytics, glossary
from . import facets as facet_defs
from .backends import get_backend
from .backends.base import MARK_END, MARK_START, SORTS, BackendResult, SearchRequest
from .models import SearchQuery
from .query import Clause, ParsedQuery, parse, words_of

logger = logging.getLogger(__name__)

# Deep pages cost the database more and nobody reads them: 50 pages of 20 is plenty.
MAX_PAGE = 50
# Letters a typed word needs before practice titles are suggested for it.
SUGGEST_TITLES_FROM = 3


class InvalidSearch(ValueError):
    """A parameter that cannot be used; the message says which and why, for people."""

    def __init__(self, field, message):
        super().__init__(message)
        self.field = field


@dataclass
class Results:
    query: str
    filters: dict
    sort: str
    page: int
    per_page: int
    count: int
    hits: list
    facets: list[FacetResult] = field(default_factory=list)
    # "Did you mean": the query with unknown words corrected. Offered whenever a correction was
    # made, whatever the count, since the results already include the corrected words.
    suggestion: str = ""
    # Estimated from a sample (a very large match set on the database backend): the page says
    # "about" before the number.
    count_approximate: bool = False
    facets_approximate: bool = False
    # The search log entry's fields (log_search), or None when the search was not logged.
    logged: dict | None = None

    @property
    def num_pages(self):
        return max(1, min(MAX_PAGE, math.ceil(self.count / self.per_page)))


def highlight_html(text):
    """Backend highlights are plain text with markers: escape it, then mark the matches."""
    if not text:
        return ""
    escaped = escape(text)
    return mark_safe(  # noqa: S308 - the text is escaped above; only <mark> is added
        escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
    )


def clean_sort(sort):
    sort = sort or "relevance"
    if sort not in SORTS:
        raise InvalidSearch("sort", f"Sort must be one of: {', '.join(SORTS)}")
    return sort


def clean_page(page):
    if page in (None, ""):
        return 1
    try:
        number = int(page)
    except (TypeError, ValueError):
        raise InvalidSearch("page", "Page must be a whole number, like 2") from None
    if number < 1 or number > MAX_PAGE:
        raise InvalidSearch("page", f"Page must be between 1 and {MAX_PAGE}")
    return number


def _correct(parsed, backend, restrictions):
    """Typo tolerance: add the closest known word as an alternative to each unknown word.
    Returns the corrected query and the text of "did you mean" (empty if nothing changed)."""
    protected = {n for group in glossary.data()["groups"] for name in group for n in name}
    words = [
        c.words[0]
        for c in parsed.positive
        if len(c.words) == 1 and len(c.alternatives) == 1 and c.words[0] not in protected
    ]
    corrections = backend.corrections(words, restrictions) if words else {}
    if not corrections:
        return parsed, ""
    clauses = [
        c.with_alternatives([(corrections[c.words[0]],)])
        if not c.negated and len(c.words) == 1 and c.words[0] in corrections
        else c
        for c in parsed.clauses
    ]
    suggestion = parsed.text
    for wrong, right in corrections.items():
        suggestion = _replace_word(suggestion, wrong, right)
    return ParsedQuery(parsed.text, clauses), suggestion


def _replace_word(text, wrong, right):
    return re.sub(rf"(?i)(?<![^\W_]){re.escape(wrong)}(?![^\W_])", right, text)


def search(
    query="",
    filters=None,
    sort="relevance",
    page=1,
    user=None,
    *,
    backend=None,
    per_page=None,
    log=True,
    source=SearchQuery.Source.WEB,
):
    """Search practice. Raises InvalidSearch (or facets.InvalidFilter) on a bad parameter."""
    arguments = (query, filters, sort, page, user, per_page, log, source)
    return _with_fallback(backend, lambda chosen: _search(chosen, *arguments))


def _with_fallback(name, call):
    """Call with the chosen backend; if it is unreachable (Elasticsearch down), answer from the
    database backend, whose index is always kept up to date, rather than failing the reader."""
    backend = get_backend(name)
    try:
        return call(backend)
    except backend.unavailable_errors as exc:
        logger.error("Search backend %r unavailable, using the database: %s", backend.name, exc)
        return call(get_backend("database"))


def _search(backend, query, filters, sort, page, user, per_page, log, source):
    per_page = per_page or settings.SEARCH_RESULTS_PER_PAGE
    sort = clean_sort(sort)
    page = clean_page(page)
    labels = facet_defs.labels()
    filters = facet_defs.clean_filters(filters or {}, labels)
    parsed = parse(query)
    restrictions = levels_for(user)
    suggestion = ""
    if parsed.positive:
        parsed, suggestion = _correct(parsed, backend, restrictions)
        parsed = glossary.expand(parsed)
    request = SearchRequest(
        query=parsed,
        filters=filters,
        sort=sort,
        offset=(page - 1) * per_page,
        limit=per_page,
        restrictions=restrictions,
    )
    result: BackendResult = backend.search(request)
    for hit in result.hits:
        hit.highlight = highlight_html(hit.highlight)
    logged = None
    if log and page == 1:
        logged = {
            "query": analytics.normalise(parsed.text),
            "filters": filters,
            "sort": sort,
            "result_count": result.count,
            "source": source,
        }
        log_search(**logged)
    return Results(
        query=parsed.text,
        filters=filters,
        sort=sort,
        page=page,
        per_page=per_page,
        count=result.count,
        hits=result.hits,
        facets=_facet_results(result.facets, filters, labels),
        suggestion=suggestion if suggestion.lower() != parsed.text.lower() else "",
        count_approximate=result.count_approximate,
        facets_approximate=result.facets_approximate,
        logged=logged,
    )


def log_search(**fields):
    """Save a search's log entry without making the reader wait for the disk.

    On PostgreSQL, outside a caller's transaction, it commits asynchronously
    (synchronous_commit off for this transaction only): the commit returns once the entry is
    in the write-ahead log's buffer, not once that is flushed. A crash could lose the last
    fraction of a second of entries, which a usage report can spare; waiting for the flush
    took 60 to 350 ms now and then at 100,000 documents while the server was checkpointing."""
    entry = SearchQuery(**fields)
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        entry.save()
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")
        entry.save()


def _facet_results(counts, filters, labels):
    results = []
    for facet in facet_defs.FACETS:
        facet_counts = counts.get(facet.name, {})
        selected = set(filters.get(facet.name, []))
        names = labels.get(facet.name)
        if names is None:  # years: newest first
            values = sorted(set(facet_counts) | selected, reverse=True)
            names = {v: v for v in values}
        else:
            values = [v for v in names if v in facet_counts or v in selected]
        options = [
            FacetOption(v, names.get(v, v), facet_counts.get(v, 0), v in selected) for v in values
        ]
        results.append(FacetResult(facet.name, facet.label, options))
    return results


def suggest(prefix, user=None, limit=8, backend=None):
    """As-you-type: glossary terms and titles of visible practice that complete the text."""
    prefix = (prefix or "")[:100].strip()
    if len(prefix) < 2:
        return {"terms": [], "practice": []}
    lowered = prefix.lower()
    terms = [
        {"term": term, "meaning": meaning}
        for term, meaning in sorted(glossary.acronyms().items())
        if term.lower().startswith(lowered) or meaning.lower().startswith(lowered)
    ][:limit]
    # Practice titles once a word has three letters: two start too many titles to be worth
    # listing (and have no trigram for the database backend to look up); the glossary's
    # acronyms answer them.
    if not any(len(word) >= SUGGEST_TITLES_FROM for word in words_of(prefix)):
        return {"terms": terms, "practice": []}
    restrictions = levels_for(user)
    practice = _with_fallback(backend, lambda chosen: chosen.suggest(prefix, restrictions, limit))
    return {"terms": terms, "practice": practice}


def related(page_id, user=None, limit=3, backend=None):
    """Practice most like this page that the user may see."""
    restrictions = levels_for(user)
    return _with_fallback(backend, lambda chosen: chosen.related(page_id, restrictions, limit))


__all__ = [
    "Clause",
    "FacetOption",
    "FacetResult",
    "InvalidSearch",
    "Results",
    "related",
    "search",
    "suggest",
]
