"""Who may see a page: the one question every channel asks before it shows or sends a page.

Pages are hidden by Wagtail's own view restrictions (on the page or an ancestor) and by not
being live. Every channel that shows practice or events (pages, listings, counts, search,
suggestions, corrections, feeds, the sitemap, documents, newsletter issues, alerts, digests,
the API) reduces a person to the restriction *levels* they may see and filters with them:

- PUBLIC: everyone;
- LOGIN: anyone signed in (a "signed-in users" restriction);
- POLICE: members of the police group, and superusers (a restriction to groups that include it);
- HIDDEN: anything else (a password, other groups): never shown by any channel but the page
  itself, which Wagtail guards.

Levels are stored with anything kept for later (search documents, the vocabulary), so what is
shown from them can be filtered the same way.
"""

from django.contrib.auth.models import Group
from django.db import models
from django.db.models import Exists, OuterRef, Q
from wagtail.models import Page, PageViewRestriction

POLICE_GROUP = "Police users"


class Restriction(models.TextChoices):
    """Who may see a page, from its own and its ancestors' view restrictions."""

    PUBLIC = "", "Everyone"
    LOGIN = "login", "Signed-in users"
    POLICE = "police", "Police users"
    # Password-protected or restricted to other groups: never shown outside the page itself.
    HIDDEN = "hidden", "Nobody (not listed anywhere)"


PUBLIC_ONLY = (Restriction.PUBLIC,)


def police_group():
    group, _ = Group.objects.get_or_create(name=POLICE_GROUP)
    return group


def _level_of(restriction):
    if restriction.restriction_type == PageViewRestriction.LOGIN:
        return Restriction.LOGIN
    if restriction.restriction_type == PageViewRestriction.GROUPS:
        names = {group.name for group in restriction.groups.all()}
        return Restriction.POLICE if POLICE_GROUP in names else Restriction.HIDDEN
    return Restriction.HIDDEN


_ORDER = [Restriction.PUBLIC, Restriction.LOGIN, Restriction.POLICE, Restriction.HIDDEN]


def restriction_of(page):
    """The strictest level among the page's own and its ancestors' view restrictions."""
    levels = [_level_of(r) for r in page.get_view_restrictions().prefetch_related("groups")]
    return max(levels, key=_ORDER.index, default=Restriction.PUBLIC)


def may_be_restricted(page):
    """Could Wagtail's check (page.get_view_restrictions()) find a restriction for this page?
    True when a view restriction is on the page or an ancestor, or when any of them is an alias
    (whose source's restrictions apply: Wagtail resolves them). One query on indexed columns
    (the ancestors' tree paths are prefixes of the page's own), so a hot path (registering)
    makes Wagtail's two only when they could find something."""
    step = page.steplen
    paths = [page.path[:end] for end in range(step, len(page.path) + 1, step)]
    restricted = PageViewRestriction.objects.filter(page=OuterRef("pk"))
    return (
        Page.objects.filter(path__in=paths)
        .filter(Q(alias_of__isnull=False) | Q(Exists(restricted)))
        .exists()
    )


def levels_for(user):
    """The levels this user may see, mirroring Wagtail's own checks (superusers pass group
    restrictions). Anonymous visitors and None see public pages only."""
    levels = [Restriction.PUBLIC]
    if user is not None and user.is_authenticated:
        levels.append(Restriction.LOGIN)
        if user.is_superuser or user.groups.filter(name=POLICE_GROUP).exists():
            levels.append(Restriction.POLICE)
    return levels


def _hidden_restrictions(levels):
    """The view restrictions that hide their pages from someone who may see `levels`, as a
    queryset: the same rules as _level_of, in SQL."""
    hidden = Q(restriction_type=PageViewRestriction.PASSWORD)
    if Restriction.LOGIN not in levels:
        hidden |= Q(restriction_type=PageViewRestriction.LOGIN)
    groups = Q(restriction_type=PageViewRestriction.GROUPS)
    if Restriction.POLICE in levels:
        police = PageViewRestriction.groups.through.objects.filter(
            pageviewrestriction_id=OuterRef("pk"), group__name=POLICE_GROUP
        )
        groups &= ~Exists(police)
    return PageViewRestriction.objects.filter(hidden | groups)


def visible_q(levels, prefix=""):
    """A Q for pages (through `prefix`, e.g. "answering_practice__") that are live and not
    hidden from someone who may see `levels`: for counts and joins as well as querysets.

    A restricted page is excluded by id (one hashed anti-join however many pages are
    restricted one by one, as police-only case studies are); the pages below a restricted
    section by its tree path (sections are few)."""
    hidden = _hidden_restrictions(levels)
    condition = Q(**{f"{prefix}live": True}) & ~Q(**{f"{prefix}pk__in": hidden.values("page_id")})
    sections = hidden.filter(page__numchild__gt=0).values_list("page__path", flat=True)
    for path in sorted(set(sections)):
        condition &= ~Q(**{f"{prefix}path__startswith": path})
    return condition


def visible_pages(queryset, levels):
    """The pages of a page queryset that someone who may see `levels` may see now."""
    return queryset.filter(visible_q(levels))


def visible_to(queryset, user):
    return visible_pages(queryset, levels_for(user))


def page_visible(page, levels):
    """May someone who may see `levels` see this page now? Checked again at the moment a page
    is shown or sent, since it may have been restricted or unpublished since it was chosen."""
    return bool(page.live) and not page.expired and restriction_of(page) in levels
