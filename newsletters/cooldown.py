"""At most one email per address per NEWSLETTERS_EMAIL_COOLDOWN_SECONDS for the emails anyone can
cause by typing an address into a form: a sign-up's confirmation and a new manage link.

The guard lives in the subscriber's row, the one row per address: sign-ups take it with
SELECT ... FOR UPDATE, so concurrent requests for one address are decided one after another,
and the confirmation task checks again under the same lock before it sends."""

import datetime as dt

from django.conf import settings
from django.db.models import Q

from .models import Subscriber


def period():
    return dt.timedelta(seconds=settings.NEWSLETTERS_EMAIL_COOLDOWN_SECONDS)


def confirmation_requested_recently(subscriber, now):
    """A confirmation email was asked for within the cooldown: it is on its way or has gone,
    and its link confirms whatever is pending, including topics chosen since."""
    requested = subscriber.confirmation_requested_at
    return requested is not None and requested > now - period()


def confirmation_due(subscriber, now):
    """The latest request has had no email yet, and none went to the address within the
    cooldown. Read under the subscriber's row lock."""
    requested, sent = subscriber.confirmation_requested_at, subscriber.confirmation_sent_at
    if requested is None:
        return False
    return sent is None or (sent < requested and sent <= now - period())


def take_manage_link_slot(subscriber_id, now):
    """True if a new manage link may be emailed now, and records it: one conditional UPDATE,
    so two requests at once cannot both pass."""
    free = Q(manage_link_sent_at__isnull=True) | Q(manage_link_sent_at__lte=now - period())
    return bool(
        Subscriber.objects.filter(free, pk=subscriber_id)
        .exclude(status=Subscriber.Status.SUPPRESSED)
        .update(manage_link_sent_at=now)
    )
