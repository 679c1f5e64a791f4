"""Answers anonymous requests for public pages from the application's page cache
(caching/store.py), and marks every answer shared or private (caching/policy.py).

It sits before the session, CSRF, authentication and message middleware, so a hit is answered
without reading a session or the database, and a miss's answer is judged after those have
added their cookies. Outer middleware (security headers) still adds its headers to a hit.
"""

from django.conf import settings
from django.db import connections

from . import policy, store

UNCACHED_PREFIXES = ("/admin/", "/static/", "/media/", "/documents/", "/api/")


def _candidate(request):
    return (
        request.method in ("GET", "HEAD")
        and not request.path_info.startswith(UNCACHED_PREFIXES)
        and not policy.personal_request(request)
    )


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        candidate = settings.PAGE_CACHE_APPLICATION and _candidate(request)
        # The generation is read before the page is rendered: an answer rendered from data
        # that a purge replaced meanwhile is filed under the old generation, never served.
        generation = store.generation(request.path_info) if candidate else None
        if generation is not None:
            entry = store.lookup(generation, request.get_full_path())
            if entry is not None:
                return store.answer(request, entry)
        response = self.get_response(request)
        if not policy.shareable(request, response):
            policy.mark_private(request, response)
            return response
        policy.mark_shared(response, store.group_of(request.path_info))
        if generation is not None:
            store.store(generation, request.get_full_path(), response)
            response["X-Page-Cache"] = "miss"
        return response


class QueryCountMiddleware:
    """Benchmarks and tests only (PAGE_CACHE_COUNT_QUERIES): the number of database queries
    an answer took, in an X-DB-Queries header. First in MIDDLEWARE, so hits are counted too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count = [0]

        def counter(execute, sql, params, many, context):
            count[0] += 1
            return execute(sql, params, many, context)

        with connections["default"].execute_wrapper(counter):
            response = self.get_response(request)
        response["X-DB-Queries"] = str(count[0])
        return response
