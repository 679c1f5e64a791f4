"""Anonymous search pages kept in the application's page cache (caching/store.py).

A newsletter sends many readers to the same few searches, and rendering one costs ten times
what reading it back does. Search is never shared with a proxy, because every search must
reach the portal to be logged for the search report: so the portal keeps the rendered page
itself, with what the search log needs, and on a hit logs the search and answers from the
cache. Only anonymous visitors' pages are kept (they see public practice only, and nothing
personal), never a page in error or sorted by views (which change all day).

Anything that could change a results page forgets them all (forget()): the index being
written (search/index.py), and any publish, unpublish, move, deletion or restriction change,
glossary or taxonomy change (search/signals.py), since the page also shows the navigation and
the facets' labels. A render that started before a purge is filed under the old generation.
"""

from django.conf import settings
from django.db import transaction

from caching import policy, store

from .service import log_search

# A purge group of its own, and not a path: the page cache middleware never answers from it.
GROUP = "search-results"
_UNCACHED_SORTS = {"most-viewed"}


def _candidate(request):
    return (
        settings.SEARCH_RESULTS_CACHE
        and request.method == "GET"
        and not policy.personal_request(request)
        and not request.user.is_authenticated
        and request.GET.get("sort") not in _UNCACHED_SORTS
    )


def _key(request):
    return f"{GROUP}:{request.get_full_path()}"


def lookup(request):
    """(generation, stored entry or None), or (None, None) when this request's page is not
    kept (or the cache is unreachable)."""
    if not _candidate(request):
        return None, None
    generation = store.generation(GROUP)
    if generation is None:
        return None, None
    return generation, store.lookup(generation, _key(request))


def answer(request, entry):
    """The stored page, after logging the search as rendering it did."""
    logged = entry[3]
    if logged is not None:
        log_search(**logged)
    return store.answer(request, entry)


def keep(request, response, generation, logged):
    """Keep the page once rendered, if it is the same for every anonymous visitor. `logged`:
    the search log entry's fields (service.Results.logged), None when nothing was logged."""
    if generation is None:
        return

    def kept(rendered):
        if policy.impersonal(request, rendered):
            store.store(generation, _key(request), rendered, extra=logged)
            rendered["X-Page-Cache"] = "miss"

    response.add_post_render_callback(kept)


def forget():
    """Forget every kept results page once the current transaction commits."""
    transaction.on_commit(lambda: store.purge(GROUP))
