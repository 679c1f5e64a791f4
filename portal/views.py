from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from . import sitemap
from .links import public_url

# Crawlers may read the sitemap again after an hour; it changes when pages are published.
SITEMAP_CACHE_SECONDS = 60 * 60


def rate_limited(request, exception):
    """Shown when someone sends a public form too often (django-ratelimit's RATELIMIT_VIEW)."""
    return TemplateResponse(request, "429.html", status=429)


def _xml(body):
    response = HttpResponse(body, content_type="application/xml; charset=utf-8")
    response["Cache-Control"] = f"public, max-age={SITEMAP_CACHE_SECONDS}"
    return response


@require_safe
def sitemap_index(request):
    static_count = len(sitemap.static_entries())
    return _xml(sitemap.index_xml(sitemap.index_entries(static_count)))


@require_safe
def sitemap_part(request, section, part):
    if part < 1:
        raise Http404("No such part")
    if section == sitemap.STATIC_SECTION:
        start = (part - 1) * sitemap.PART_SIZE
        entries = sitemap.static_entries()[start : start + sitemap.PART_SIZE]
        if not entries and part > 1:
            raise Http404("No such part")
        return _xml(sitemap.urlset_xml(entries))
    content_type = sitemap.section_content_type(section)
    if content_type is None:
        raise Http404("No such section")
    entries = sitemap.page_entries(content_type.pk, part)
    if not entries:
        raise Http404("No such part")
    return _xml(sitemap.urlset_xml(entries))


# Signed-link pages (registrations, newsletter preferences) are private to whoever holds the
# link; the admin, the API and machine-readable feeds are not pages for search engines.
ROBOTS_DISALLOW = [
    "/admin/",
    "/django-admin/",
    "/api/",
    "/event-registrations/",
    "/newsletters/confirm/",
    "/newsletters/manage/",
    "/newsletters/unsubscribe/",
    "/search/feed/",
    "/search/suggest/",
    "/account/",
]


@require_safe
def robots_txt(request):
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in ROBOTS_DISALLOW)]
    lines += ["", f"Sitemap: {public_url(reverse('sitemap'))}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
