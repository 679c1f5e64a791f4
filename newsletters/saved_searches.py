"""Saved searches: a listing's filters kept as a querystring. A saved search is matched with
the listing's own filter form, so "subscribe to this search" means exactly what the listing
showed. Imports no models of its own app, so models may describe themselves with it."""

from django.db import models
from django.http import QueryDict


class Listing(models.TextChoices):
    PRACTICE = "practice", "Notable practice"
    EVENTS = "events", "Learning events"


def filter_form(listing, querystring):
    if listing == Listing.PRACTICE:
        from practice.forms import PracticeFilterForm as form_class
    elif listing == Listing.EVENTS:
        from events.forms import EventFilterForm as form_class
    else:
        raise ValueError(f"Unknown listing {listing!r}")
    return form_class(QueryDict(querystring))


def clean_search(listing, querystring):
    """The querystring reduced to the listing's filters, in a stable order; ValueError when it
    names a listing or filter value that does not exist, or no filter at all."""
    form = filter_form(listing, querystring)
    if not form.is_valid():
        raise ValueError("This search has filters that no longer exist")
    kept = QueryDict(mutable=True)
    for name in form.lookups:
        values = sorted(term.slug for term in form.cleaned_data.get(name) or [])
        if values:
            kept.setlist(name, values)
    if not kept:
        raise ValueError("Choose at least one filter before subscribing to a search")
    return kept.urlencode()


def describe_search(listing, querystring):
    try:
        form = filter_form(listing, querystring)
    except ValueError:
        return "Saved search"
    parts = []
    if form.is_valid():
        for name in form.lookups:
            terms = form.cleaned_data.get(name) or []
            if terms:
                names = ", ".join(term.name for term in terms)
                parts.append(f"{form.fields[name].label}: {names}")
    what = Listing(listing).label if listing else "Search"
    return f"{what}, {'; '.join(parts)}" if parts else what
