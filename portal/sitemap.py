"""The sitemap (https://www.sitemaps.org/protocol.html): an index of sections, each a list of
absolute URLs at PUBLIC_BASE_URL.

- one section per page type (case studies, events, listings...), split into numbered parts of
  PART_SIZE URLs, well under the protocol's 50,000 per file;
- "pages" that are not Wagtail pages: the recommendations register and each recommendation,
  the force pages, the glossary, search and the newsletter archive with its issues.

Only pages anyone may read appear: live, not expired, without a view restriction on themselves
or an ancestor (police-only, login-only, password or group). Every part is one or two queries
reading only the path and date columns, written out as text: no page is loaded as a model, so
a part takes the same time at 100,000 pages as at 100 (benchmarks/sitemap.py).
"""

import datetime as dt
import math
from xml.sax.saxutils import escape

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, Max, OuterRef, Q
from django.db.models.functions import Substr
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import iri_to_uri
from wagtail.models import Page, PageViewRestriction, Site

from .links import public_url

NAMESPACE = "http://www.sitemaps.org/schemas/sitemap/0.9"
# URLs per part: the protocol allows 50,000; a tenth of that keeps each file small and quick
# to build and to fetch.
PART_SIZE = 5_000
STATIC_SECTION = "other"


def _w3c(value):
    """A W3C datetime in UTC, as the protocol's <lastmod> wants."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat(timespec="seconds")
    return value.isoformat()


def _site_root():
    site = Site.objects.select_related("root_page").filter(is_default_site=True).first()
    return site.root_page if site else None


def _without_view_restrictions():
    """A condition true of pages with no view restriction on themselves or an ancestor.

    Wagtail's PageQuerySet.public() ORs one path condition per restriction, which every row
    is tested against: with a few thousand police-only case studies that is slow. Here each
    row looks its own ancestors up in the restrictions instead (an index lookup per depth at
    which a restriction exists)."""
    depths = set(PageViewRestriction.objects.values_list("page__depth", flat=True))
    if not depths:
        return Q()
    ancestor_or_self = Q()
    for depth in sorted(depths):
        ancestor_or_self |= Q(page__path=Substr(OuterRef("path"), 1, depth * Page.steplen))
    return ~Exists(PageViewRestriction.objects.filter(ancestor_or_self))


def public_pages(root=None):
    """Live pages anyone may read under the site root, as a queryset of Page."""
    root = root or _site_root()
    if root is None:
        return Page.objects.none()
    return (
        Page.objects.live()
        .descendant_of(root, inclusive=True)
        .filter(Q(expire_at__isnull=True) | Q(expire_at__gt=timezone.now()))
        .filter(_without_view_restrictions())
    )


def page_sections():
    """{section name: (content type id, URL count, latest change)} in one query."""
    rows = (
        public_pages()
        .order_by()
        .values("content_type")
        .annotate(count=Count("pk"), latest=Max("last_published_at"))
    )
    sections = {}
    for row in rows:
        content_type = ContentType.objects.get_for_id(row["content_type"])
        name = f"{content_type.app_label}-{content_type.model}"
        sections[name] = (row["content_type"], row["count"], row["latest"])
    return sections


def section_content_type(name):
    """The content type a page section's name ("practice-practicepage") stands for, or None."""
    app_label, _, model = name.partition("-")
    try:
        return ContentType.objects.get_by_natural_key(app_label, model)
    except ContentType.DoesNotExist:
        return None


def page_entries(content_type_id, part):
    """(absolute URL, lastmod) of one part of one page type's section."""
    root = _site_root()
    prefix = len(root.url_path)
    rows = (
        public_pages(root)
        .filter(content_type_id=content_type_id)
        # By id, not tree path: an integer sort is cheaper, and the order only has to be stable.
        .order_by("pk")
        .values_list("url_path", "last_published_at")[(part - 1) * PART_SIZE : part * PART_SIZE]
    )
    return [(public_url("/" + url_path[prefix:]), _w3c(changed)) for url_path, changed in rows]


def static_entries():
    """The portal's pages that are Django views, with what they list: (URL, lastmod)."""
    from inspections.models import InspectionReportPage, Recommendation
    from newsletters.models import NewsletterIssue
    from taxonomy.models import Organisation

    paths = [
        (reverse("search:search"), None),
        (reverse("search:glossary"), None),
        (reverse("inspections:register"), None),
        (reverse("inspections:force_list"), None),
        (reverse("newsletters:archive"), None),
        (reverse("newsletters:subscribe"), None),
    ]
    # As inspections.views.force_detail: the territorial forces, and any other force inspected.
    force_slugs = (
        Organisation.objects.filter(kind=Organisation.Kind.FORCE)
        .filter(Q(territorial=True) | Q(inspection_reports__isnull=False))
        .order_by("slug")
        .values_list("slug", flat=True)
        .distinct()
    )
    paths += [(reverse("inspections:force", args=[slug]), None) for slug in force_slugs]
    # As inspections.queries.public_recommendations: those of reports anyone may read.
    reports = public_pages().type(InspectionReportPage).values("pk")
    recommendations = Recommendation.objects.filter(report__in=reports).order_by("pk")
    paths += [
        (reverse("inspections:recommendation", args=[pk]), None)
        for pk in recommendations.values_list("pk", flat=True)
    ]
    issues = (
        NewsletterIssue.objects.filter(status=NewsletterIssue.Status.SENT)
        .order_by("pk")
        .values_list("pk", "sent_at")
    )
    paths += [(reverse("newsletters:issue", args=[pk]), _w3c(sent)) for pk, sent in issues]
    return [(public_url(path), lastmod) for path, lastmod in paths]


def index_entries(static_count):
    """(absolute URL of each part, lastmod) for the sitemap index."""
    entries = []
    for name, (_, count, latest) in sorted(page_sections().items()):
        for part in range(1, math.ceil(count / PART_SIZE) + 1):
            entries.append((part_url(name, part), _w3c(latest)))
    for part in range(1, max(1, math.ceil(static_count / PART_SIZE)) + 1):
        entries.append((part_url(STATIC_SECTION, part), None))
    return entries


def part_url(section, part):
    return public_url(reverse("sitemap_part", args=[section, part]))


def _element(tag, loc, lastmod):
    inner = f"<loc>{escape(iri_to_uri(loc))}</loc>"
    if lastmod:
        inner += f"<lastmod>{lastmod}</lastmod>"
    return f"<{tag}>{inner}</{tag}>\n"


def urlset_xml(entries):
    head = f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{NAMESPACE}">\n'
    body = "".join(_element("url", loc, lastmod) for loc, lastmod in entries)
    return head + body + "</urlset>\n"


def index_xml(entries):
    head = f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="{NAMESPACE}">\n'
    body = "".join(_element("sitemap", loc, lastmod) for loc, lastmod in entries)
    return head + body + "</sitemapindex>\n"
