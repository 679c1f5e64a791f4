"""Purging: once the change commits, every cache that may hold the affected URLs forgets them,
through Wagtail's front-end cache invalidation (the backends in WAGTAILFRONTENDCACHE: ours, and
Varnish's HTTP PURGE or a CDN's API where one is configured), in this process."""

import logging

from django.conf import settings
from django.db import transaction
from wagtail.contrib.frontend_cache.utils import purge_urls_from_cache

logger = logging.getLogger(__name__)


def purge_paths(paths):
    """Purge these paths (a query string is not needed: every variant goes) after commit."""
    urls = sorted({settings.PUBLIC_BASE_URL + path for path in paths if path})
    if not urls:
        return

    def purge():
        try:
            purge_urls_from_cache(urls)
        except Exception:
            # A purge that fails leaves pages stale for PAGE_CACHE_SECONDS at most; the change
            # itself has been saved and must not be reported as failed.
            logger.exception("Could not purge %d URLs from the page caches", len(urls))

    transaction.on_commit(purge)
