"""Which public URLs show what: the paths a change must purge, and no others.

A page shows in its own URL, its ancestors (listings, the home page), the sitemap, and the
views that list its kind (feeds, force pages). A taxonomy term shows in the listings' filters
and on every page tagged with it; an organisation on its force page as well.
"""

from django.urls import NoReverseMatch, reverse

SITEMAP = ["/sitemap.xml", "/sitemaps/"]


def _reverse(name, *args):
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _force_paths(*organisations):
    paths = [_reverse("inspections:force_list")]
    paths += [_reverse("inspections:force", o.slug) for o in organisations if o is not None]
    return paths


def _page_kind_paths(page):
    """Views outside the page tree that list this kind of page."""
    from events.models import EventPage
    from inspections.models import InspectionReportPage
    from practice.models import PracticePage
    from taxonomy.models import Organisation

    if isinstance(page, PracticePage):
        return _force_paths(page.force, *page.partners.all())
    if isinstance(page, EventPage):
        # Force pages list the upcoming events in their region.
        forces = Organisation.objects.filter(region_id=page.region_id) if page.region_id else []
        feeds = [_reverse("events:feed"), "/events/feed/", "/events/calendar/"]
        return [*feeds, *_force_paths(*forces)]
    if isinstance(page, InspectionReportPage):
        return [*_force_paths(page.force), "/recommendations/"]
    return []


def page_paths(page):
    """Paths showing a page where it is now: read before a move or deletion as well as after,
    since its old URL and old listings showed it too."""
    from wagtail.models import Page

    page = page.specific
    paths = set(SITEMAP)
    for ancestor in page.get_ancestors(inclusive=True).specific():
        url = ancestor.get_url()
        if url:
            paths.add(url)
    paths.update(p for p in _page_kind_paths(page) if p)
    # Pages below a moved, unpublished or restricted section change with it.
    for descendant in Page.objects.descendant_of(page).specific():
        url = descendant.get_url()
        if url:
            paths.add(url)
    return paths


def renamed_descendant_paths(page, old_url):
    """The old addresses of a renamed page's subpages: its old URL in place of its new one."""
    new_url = page.get_url()
    if not new_url:
        return []
    return [
        old_url + url[len(new_url) :]
        for url in (d.get_url() for d in page.get_descendants())
        if url and url.startswith(new_url)
    ]


def event_seat_paths(event):
    """Paths showing an event's seats left: its page and its listing (the home page and force
    pages list events without their seats)."""
    paths = {event.get_url()}
    parent = event.get_parent()
    if parent is not None:
        paths.add(parent.specific.get_url())
    return {p for p in paths if p}


def term_paths(term):
    """Paths showing a taxonomy term, an organisation or a glossary term."""
    from events.models import EventIndexPage, EventPage
    from practice.models import PracticeIndexPage
    from search.models import GlossaryTerm
    from taxonomy.models import Criterion, JobRole, Organisation

    if isinstance(term, GlossaryTerm):
        return {_reverse("search:glossary")}
    # The subscription form lists the criteria, themes and audiences to follow.
    paths = {"/", _reverse("newsletters:subscribe")}
    for index in (*PracticeIndexPage.objects.live(), *EventIndexPage.objects.live()):
        paths.add(index.get_url())
    for tagged in _pages_tagged_with(term):
        url = tagged.get_url()
        if url:
            paths.add(url)
    if isinstance(term, Organisation):
        paths.update(_force_paths(term))
    if isinstance(term, (Organisation, JobRole)):
        # Every upcoming event's registration form lists the organisations and job roles.
        paths.update(event.get_url() for event in EventPage.objects.live().upcoming())
    if isinstance(term, Criterion):
        paths.update(["/events/feed/", "/recommendations/"])
    return {p for p in paths if p}


def _pages_tagged_with(term):
    """The pages whose foreign keys or many-to-many fields point at the term."""
    from wagtail.models import Page

    pages = []
    for relation in term._meta.related_objects:
        model = relation.related_model
        if not (isinstance(model, type) and issubclass(model, Page)):
            continue
        pages.extend(model.objects.live().filter(**{relation.field.name: term}))
    return pages


def recommendation_paths(recommendation):
    """The register (every filter and download), and the force page of its report."""
    report = getattr(recommendation, "report", None)
    force = getattr(report, "force", None) if report is not None else None
    return {"/recommendations/", *(p for p in _force_paths(force) if p)}
