"""What may be shared: which answers a cache (ours or a proxy in front) may give to anyone who
asks, and the headers that say so.

An answer is shared only if all of these hold; anything else is marked private:
- a GET answered 200 by a public view (SHARED_VIEWS) or by a Wagtail page nobody restricts
  (portal/visibility.py: Restriction.PUBLIC, recorded by caching/wagtail_hooks.py);
- the visitor is anonymous and sent no session or messages cookie, and no Authorization;
- the answer sets no cookie, carries no message, no form in error and no CSP nonce, and its view
  did not mark it private or uncacheable (signed links are never_cache: portal/decorators.py).
"""

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.utils.cache import patch_cache_control, patch_vary_headers

from portal.visibility import Restriction

# Views (by resolver view name) whose GET answers are the same for every anonymous visitor.
# Wagtail pages are checked for restrictions as well. Search is left out: each search is
# logged for the search report, so it must reach the portal (search/results_cache.py keeps
# anonymous results in the application's cache instead, never in a proxy's).
SHARED_VIEWS = {
    "wagtail_serve",
    "sitemap",
    "sitemap_part",
    "robots_txt",
    "accessibility",
    "privacy",
    "events:feed",
    "events:criterion_feed",
    "events:event_calendar",
    "inspections:register",
    "inspections:register_csv",
    "inspections:recommendation",
    "inspections:force_list",
    "inspections:force",
    "search:glossary",
    "newsletters:subscribe",
}
# Not shared: the newsletter archive (an issue is marked sent by a bulk update, which no
# signal reports, so nothing could purge it).
PRIVATE_DIRECTIVES = ("private", "no-store", "no-cache", "max-age=0")
ERROR_SUMMARY = b'class="govuk-error-summary'


def personal_request(request):
    """Does the request carry anything that makes its answer someone's own? Wagtail's previews
    pass an editor's draft through the middleware as a "dummy" request for the page's URL."""
    cookies = request.COOKIES
    return (
        getattr(request, "is_dummy", False)
        or settings.SESSION_COOKIE_NAME in cookies
        or CookieStorage.cookie_name in cookies
        or "HTTP_AUTHORIZATION" in request.META
    )


def _view_name(request):
    match = getattr(request, "resolver_match", None)
    return match.view_name if match is not None else None


def _has_messages(request):
    storage = getattr(request, "_messages", None)
    if storage is None:
        return False
    # Only what this request already read or added: loading messages could read the session.
    return bool(getattr(storage, "_queued_messages", None)) or bool(
        getattr(storage, "_loaded_data", None)
    )


def impersonal(request, response):
    """Is this answer the same for every anonymous visitor who asks for the URL? Rendered for
    an anonymous visitor who sent nothing personal, and it sets no cookie (nor will the CSRF
    middleware), carries no message, no form in error and no CSP nonce."""
    if request.method != "GET" or response.status_code != 200 or response.streaming:
        return False
    if personal_request(request) or response.cookies:
        return False
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return False
    # What the session and CSRF middleware would set on the way out, for a view that asks.
    session = getattr(request, "session", None)
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE") or (session is not None and session.modified):
        return False
    if isinstance(getattr(request, "_csp_nonce", None), str):
        return False
    if "nonce-" in response.get("Content-Security-Policy", ""):
        return False
    if "*" in response.get("Vary", "") or _has_messages(request):
        return False
    return ERROR_SUMMARY not in response.content


def shareable(request, response):
    if not impersonal(request, response):
        return False
    view = _view_name(request)
    if view not in SHARED_VIEWS:
        return False
    if view == "wagtail_serve" and getattr(request, "page_restriction", None) != (
        Restriction.PUBLIC
    ):
        return False
    control = response.get("Cache-Control", "").replace(" ", "").lower().split(",")
    return not any(directive in control for directive in PRIVATE_DIRECTIVES)


def mark_shared(response, group):
    """Anyone may be given this answer from a shared cache for PAGE_CACHE_SECONDS, until a
    purge; browsers check back every time (unless the view chose a max-age, as the feeds do),
    so a purge reaches them too."""
    control = {"public": True, "s_maxage": settings.PAGE_CACHE_SECONDS}
    if "max-age" not in response.get("Cache-Control", ""):
        control["max_age"] = 0
    patch_cache_control(response, **control)
    patch_vary_headers(response, ["Cookie"])
    response["X-Cache-Group"] = group


def mark_private(request, response):
    """Not to be shared. An answer to someone's own request is private whatever its view said
    (patch_cache_control drops "public")."""
    user = getattr(request, "user", None)
    if personal_request(request) or (user is not None and user.is_authenticated):
        patch_cache_control(response, private=True)
    elif "Cache-Control" not in response:
        patch_cache_control(response, private=True)
    patch_vary_headers(response, ["Cookie"])
