"""Which subscribers a published page matters to, and saved searches.

A saved search is matched with the listing's own filter form, so "subscribe to this search"
means exactly what the listing showed."""

from django.http import QueryDict

from .models import Subscriber, Subscription


def filter_form(listing, querystring):
    if listing == Subscription.Listing.PRACTICE:
        from practice.forms import PracticeFilterForm as form_class
    elif listing == Subscription.Listing.EVENTS:
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
        values = sorted(value for value, _label in form.selected(name))
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
            terms = form.selected(name)
            if terms:
                names = ", ".join(label for _value, label in terms)
                parts.append(f"{form.fields[name].label}: {names}")
    what = Subscription.Listing(listing).label if listing else "Search"
    return f"{what}, {'; '.join(parts)}" if parts else what


def page_model_listing(page):
    from events.models import EventPage
    from practice.models import PracticePage

    if isinstance(page, PracticePage):
        return Subscription.Listing.PRACTICE
    if isinstance(page, EventPage):
        return Subscription.Listing.EVENTS
    return None


def subscriber_ids_for_page(page, frequency):
    """Active subscribers with a confirmed subscription of this frequency that matches the
    page. A few queries per page however many subscribers there are: one for the tag topics,
    then one per distinct saved search (there are far fewer searches than subscribers)."""
    from django.db.models import Q

    listing = page_model_listing(page)
    if listing is None:
        return set()
    subscriptions = Subscription.objects.filter(
        active=True, frequency=frequency, subscriber__status=Subscriber.Status.ACTIVE
    )
    criteria = list(page.criteria.values_list("pk", flat=True))
    themes = list(page.themes.values_list("pk", flat=True))
    audiences = list(page.audiences.values_list("pk", flat=True))
    topics = (
        Q(kind=Subscription.Kind.CRITERION, criterion__in=criteria)
        | Q(kind=Subscription.Kind.THEME, theme__in=themes)
        | Q(kind=Subscription.Kind.AUDIENCE, audience__in=audiences)
    )
    if listing == Subscription.Listing.EVENTS:
        topics |= Q(kind=Subscription.Kind.EVENTS)
    matched = set(subscriptions.filter(topics).values_list("subscriber_id", flat=True))

    searches = (
        subscriptions.filter(kind=Subscription.Kind.SEARCH, listing=listing)
        .values_list("querystring", flat=True)
        .distinct()
    )
    model = type(page)
    for querystring in searches:
        form = filter_form(listing, querystring)
        if form.is_valid() and form.filter(model.objects.filter(pk=page.pk)).exists():
            matched.update(
                subscriptions.filter(
                    kind=Subscription.Kind.SEARCH, listing=listing, querystring=querystring
                ).values_list("subscriber_id", flat=True)
            )
    return matched
