"""Decorators for views shared by the apps."""

import functools

from django.utils.cache import add_never_cache_headers


def signed_link(view):
    """For every view reached by a signed link (newsletter and event registration links): the
    token in the URL is the key to one person's data, so nothing it returns may be kept by a
    browser's cache or a shared cache (a proxy or CDN would serve it to anyone with the URL).

    Adds Cache-Control: max-age=0, no-cache, no-store, must-revalidate, private (Django's
    never_cache) to every response the view returns, and marks the view so that
    tests/portal/test_signed_links.py can check that every token URL uses it.
    """

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        add_never_cache_headers(response)
        return response

    wrapped.signed_link = True
    return wrapped
