"""Reach: newsletter subscribers (confirmed, unsubscribed, suppressed by bounces and
complaints), their topics, and accounts linked to a force."""

from newsletters.models import Subscriber, Subscription
from taxonomy.models import OrganisationMembership

from .. import dimensions as dims


def _who(email, organisation_type, force_of):
    force = force_of(email)
    found = [dims.TOTAL, f"orgtype:{organisation_type}"]
    if force:
        found.append(dims.force(force))
    return found


def collect(figures, first_day, last_day, start, end):
    from ..rollups import local_day

    force_of = dims.ForceByEmail()
    for field, metric in [
        ("confirmed_at", "subscribers.confirmed"),
        ("unsubscribed_at", "subscribers.unsubscribed"),
    ]:
        rows = (
            Subscriber.objects.filter(**{f"{field}__gte": start, f"{field}__lt": end})
            .order_by()
            .values_list("email", "organisation_type", field)
        )
        for email, organisation_type, moment in rows.iterator(chunk_size=5000):
            figures.add(metric, local_day(moment), _who(email, organisation_type, force_of))


def snapshot(figures, today):
    force_of = dims.ForceByEmail()
    active = Subscriber.objects.filter(status=Subscriber.Status.ACTIVE).order_by()
    force_by_subscriber = {}
    for pk, email, organisation_type in active.values_list(
        "pk", "email", "organisation_type"
    ).iterator(chunk_size=5000):
        found = _who(email, organisation_type, force_of)
        figures.add("subscribers.active", today, found)
        if len(found) == 3:
            force_by_subscriber[pk] = found[2]
    suppressed = Subscriber.objects.filter(status=Subscriber.Status.SUPPRESSED).count()
    figures["subscribers.suppressed", today, dims.TOTAL] = suppressed

    topics = Subscription.objects.filter(
        active=True, subscriber__status=Subscriber.Status.ACTIVE
    ).order_by()
    for kind, criterion, theme, audience in topics.values_list(
        "kind", "criterion__slug", "theme__slug", "audience__slug"
    ).iterator(chunk_size=5000):
        slug = criterion or theme or audience
        figures.add(
            "subscriptions.active", today, [f"topic:{kind}:{slug}" if slug else f"topic:{kind}"]
        )
    _count_people_per_cell(figures, topics, force_by_subscriber, today)

    members = OrganisationMembership.objects.filter(organisation__kind="force").values_list(
        "organisation__slug", flat=True
    )
    for slug in members.iterator():
        figures.add("accounts.registered", today, [dims.TOTAL, dims.force(slug)])


def _count_people_per_cell(figures, topics, force_by_subscriber, today):
    """Subscribers per (force, criterion): distinct people, not subscriptions (one person may
    follow a criterion at two frequencies)."""
    cells = {}
    for subscriber_id, criterion in (
        topics.filter(kind=Subscription.Kind.CRITERION)
        .values_list("subscriber_id", "criterion__slug")
        .iterator(chunk_size=5000)
    ):
        force = force_by_subscriber.get(subscriber_id)
        if force and criterion:
            cells.setdefault(f"{force}|{dims.criterion(criterion)}", set()).add(subscriber_id)
    for cell, people in cells.items():
        figures["subscribers.active", today, cell] = len(people)
