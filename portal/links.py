"""Absolute links: every URL the portal sends away from a request (emails, feeds, the sitemap,
calendars, the API) starts with the one configured public base URL, PUBLIC_BASE_URL.

Wagtail's `page.full_url` starts with the Site's hostname and port instead, which nothing keeps
equal to the address the portal is served at; so nothing here reads them. The default Site is
still kept in step (sync_default_site, after every migrate) for Wagtail's own admin links.
"""

from urllib.parse import urlsplit

from django.conf import settings


def public_base_url():
    """The configured base URL without a trailing slash, e.g. "https://practice.example"."""
    return settings.PUBLIC_BASE_URL.rstrip("/")


def public_host():
    """The host name of the public base URL, e.g. "practice.example"."""
    return urlsplit(settings.PUBLIC_BASE_URL).hostname or "localhost"


def public_url(path):
    """The absolute URL of a site path ("/search/?q=x"); an absolute URL comes back as it is."""
    if urlsplit(path).scheme:
        return path
    return public_base_url() + "/" + path.lstrip("/")


def page_path(page):
    """A page's path within its site ("/practice/x/"), or None when no site serves it."""
    parts = page.get_url_parts()
    return parts[2] if parts else None


def page_url(page):
    """The absolute public URL of a page, or "" when no site serves it."""
    path = page_path(page)
    return public_url(path) if path is not None else ""


def site_hostname_and_port(base_url=None):
    """(hostname, port) of a base URL as Wagtail's Site model stores them."""
    parts = urlsplit(base_url or settings.PUBLIC_BASE_URL)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return parts.hostname or "localhost", port


def sync_default_site(apps=None, using="default", **kwargs):
    """Point the default Site at the public base URL (connected to post_migrate), so the
    admin's "view live" links and anything else of Wagtail's that reads the Site agree."""
    from django.apps import apps as installed_apps
    from wagtail.models import Site as LiveSite

    try:
        Site = (apps or installed_apps).get_model("wagtailcore", "Site")
    except LookupError:  # migrated only part of the way: no Site table yet
        return
    hostname, port = site_hostname_and_port()
    changed = (
        Site.objects.using(using)
        .filter(is_default_site=True)
        .exclude(hostname=hostname, port=port)
        .update(hostname=hostname, port=port)
    )
    if changed:
        LiveSite.clear_site_root_paths_cache()
