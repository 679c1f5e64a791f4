"""The service navigation's sections: the live, public listing pages, wherever editors put
them in the page tree, and the sections served by Django views.

Every page shows the navigation, so the listings are kept in the cache rather than found on
each request (finding them means checking every view restriction in the tree); any publish,
unpublish, move, deletion or restriction change forgets them."""

from django.apps import apps
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from wagtail.models import Page, PageViewRestriction
from wagtail.signals import page_published, page_unpublished, post_page_move

# The sections in the service navigation, in the order shown: (label, listing page model).
SECTIONS = [
    ("Practice", "practice.PracticeIndexPage"),
    ("Events", "events.EventIndexPage"),
    ("Inspections", "inspections.InspectionIndexPage"),
]
# Sections served by Django views rather than pages, after the page sections: (label, URL name).
VIEW_SECTIONS = [
    ("Recommendations", "inspections:register"),
    ("Forces", "inspections:force_list"),
]
CACHE_KEY = "portal:service-navigation"
CACHE_SECONDS = 3600


def listings():
    """[(label, page id, tree path, url)] of each live public listing, in SECTIONS order."""
    found = cache.get(CACHE_KEY)
    if found is None:
        found = _find_listings()
        cache.set(CACHE_KEY, found, CACHE_SECONDS)
    return found


def _find_listings():
    models = [apps.get_model(model) for _, model in SECTIONS]
    first = {}
    for listing in Page.objects.live().public().type(*models).order_by("path"):
        first.setdefault(listing.specific_class, listing)
    found = []
    for (label, _), model in zip(SECTIONS, models, strict=True):
        listing = first.get(model)
        url = listing.get_url() if listing else None
        if url:
            found.append((label, listing.pk, listing.path, url))
    return found


def forget(**kwargs):
    # After commit: a request in between would otherwise cache the old tree again.
    transaction.on_commit(lambda: cache.delete(CACHE_KEY))


def _page_deleted(sender, instance, **kwargs):
    if isinstance(instance, Page):
        forget()


def connect():
    uid = "portal-navigation"
    page_published.connect(forget, dispatch_uid=f"{uid}-published")
    page_unpublished.connect(forget, dispatch_uid=f"{uid}-unpublished")
    post_page_move.connect(forget, dispatch_uid=f"{uid}-moved")
    # Every page type is its own sender: one receiver checks the instance instead.
    post_delete.connect(_page_deleted, dispatch_uid=f"{uid}-deleted")
    for signal in (post_save, post_delete):
        signal.connect(forget, sender=PageViewRestriction, dispatch_uid=uid)
