"""Which subscribers a published page matters to."""

from .models import Subscriber, Subscription
from .saved_searches import filter_form


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
