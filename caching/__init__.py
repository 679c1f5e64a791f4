"""Shared caching of public pages: what may be shared, the application's own page cache, and
purging exactly the URLs a change affects from it and from any proxy in front (Varnish, a CDN)."""
