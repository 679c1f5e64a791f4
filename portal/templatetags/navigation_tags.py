"""The service navigation: links to the listings, wherever editors put them in the page tree."""

from django import template
from django.apps import apps
from django.urls import reverse
from wagtail.models import Page

register = template.Library()

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


@register.simple_tag(takes_context=True)
def service_navigation(context):
    """Each live listing as {label, url, current, active}: `current` on the listing itself,
    `active` on the listing and the pages below it. One query; none when a listing is missing."""
    request = context.get("request")
    here = context.get("page")
    models = [apps.get_model(model) for _, model in SECTIONS]
    listings = {}
    for listing in Page.objects.live().public().type(*models).order_by("path"):
        listings.setdefault(listing.specific_class, listing)
    links = []
    for (label, _), model in zip(SECTIONS, models, strict=True):
        listing = listings.get(model)
        url = listing.get_url(request) if listing else None
        if not url:
            continue
        current = isinstance(here, Page) and here.pk == listing.pk
        active = isinstance(here, Page) and here.path.startswith(listing.path)
        links.append({"label": label, "url": url, "current": current, "active": active})
    path = request.path if request else ""
    for label, name in VIEW_SECTIONS:
        url = reverse(name)
        links.append(
            {"label": label, "url": url, "current": path == url, "active": path.startswith(url)}
        )
    return links
