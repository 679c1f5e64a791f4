"""The application's own cache of whole anonymous responses, in Django's cache (Redis), for
deployments without a caching proxy in front.

Entries are keyed by path and query string under a *generation* per purge group (a path, or a
prefix such as /sitemaps/): purging a group starts a new generation, so every query-string
variant of a listing goes at once, and an answer rendered before the purge, stored after it, is
filed under the old generation and never served. The cache being unreachable never fails a
request: the page is rendered as if nothing were cached, and the outage is logged once.
"""

import hashlib
import logging
import time

from django.conf import settings
from django.core.cache import caches
from django.http import HttpResponse

logger = logging.getLogger(__name__)

# Paths whose purge groups are a prefix: one purge covers every URL under them.
GROUP_PREFIXES = ("/sitemaps/", "/events/feed/", "/events/calendar/", "/recommendations/")
# Headers kept with an entry: everything the view and the inner middleware set. Outer
# middleware (security headers) adds its own to every answer, hit or miss.
_DROPPED_HEADERS = {"content-length", "set-cookie", "x-page-cache"}


class _Outage:
    """Logs an unreachable cache once, and again only after it has been reachable."""

    down = False

    def failed(self, exc):
        if not self.down:
            logger.warning("Page cache unreachable, serving uncached: %s", exc)
        self.down = True

    def succeeded(self):
        if self.down:
            logger.warning("Page cache reachable again")
        self.down = False


outage = _Outage()


def cache():
    return caches[settings.PAGE_CACHE_ALIAS]


def group_of(path):
    for prefix in GROUP_PREFIXES:
        if path.startswith(prefix):
            return prefix
    return path


def _generation_key(group):
    return f"pagecache:gen:{hashlib.sha256(group.encode()).hexdigest()[:32]}"


def _entry_key(generation, full_path):
    digest = hashlib.sha256(full_path.encode()).hexdigest()[:40]
    return f"pagecache:page:{generation}:{digest}"


def generation(path):
    """The current generation of the path's group, or None when the cache cannot be reached.
    A group without one (never purged, or its key evicted) gets a new one: entries filed
    under a lost generation are never served."""
    key = _generation_key(group_of(path))
    try:
        value = cache().get(key)
        if value is None:
            cache().add(key, str(time.time_ns()), timeout=None)
            value = cache().get(key)
    except Exception as exc:  # noqa: BLE001 - any cache failure means "not cached"
        outage.failed(exc)
        return None
    outage.succeeded()
    return value


def lookup(generation_value, full_path):
    """(status, headers, content, extra) stored for the URL, or None."""
    try:
        entry = cache().get(_entry_key(generation_value, full_path))
    except Exception as exc:  # noqa: BLE001
        outage.failed(exc)
        return None
    # An entry of another shape (kept by the release before a deploy) is a miss.
    return entry if isinstance(entry, tuple) and len(entry) == 4 else None


def answer(request, entry):
    """The response for a stored entry (lookup), marked as a hit."""
    status, headers, content, _extra = entry
    response = HttpResponse(b"" if request.method == "HEAD" else content, status=status)
    for name, value in headers:
        response[name] = value
    response["Content-Length"] = str(len(content))
    response["X-Page-Cache"] = "hit"
    return response


def store(generation_value, full_path, response, extra=None):
    """Keep the answer for the URL; `extra` is anything its view needs again on a hit."""
    headers = [(k, v) for k, v in response.items() if k.lower() not in _DROPPED_HEADERS]
    entry = (response.status_code, headers, response.content, extra)
    try:
        cache().set(
            _entry_key(generation_value, full_path), entry, timeout=settings.PAGE_CACHE_SECONDS
        )
    except Exception as exc:  # noqa: BLE001
        outage.failed(exc)


def purge(path):
    """Start a new generation for the path's group: its stored answers are never served
    again (they expire in PAGE_CACHE_SECONDS)."""
    try:
        cache().set(_generation_key(group_of(path)), str(time.time_ns()), timeout=None)
    except Exception as exc:  # noqa: BLE001
        outage.failed(exc)
