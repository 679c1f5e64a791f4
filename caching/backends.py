"""A Wagtail front-end cache backend for the application's own page cache (caching/store.py),
so one purge reaches it and any proxy configured beside it (WAGTAILFRONTENDCACHE)."""

from urllib.parse import urlsplit

from wagtail.contrib.frontend_cache.backends import BaseBackend

from . import store


class ApplicationCacheBackend(BaseBackend):
    def purge(self, url):
        store.purge(urlsplit(url).path or "/")
