"""One email per address per EVENTS_EMAIL_COOLDOWN_SECONDS, for the emails anyone can cause by
typing an address into a registration form: the outcome of registering, "confirm your
address", and "someone tried to register this address again".

The slot is taken by one conditional UPDATE on the address's row, so concurrent registrations
from any number of clients cannot both pass: PostgreSQL re-checks the condition on the row
another transaction just changed. Rows older than the cooldown are deleted by beat."""

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django.utils.crypto import salted_hmac

from .models import EmailCooldown


def period():
    return dt.timedelta(seconds=settings.EVENTS_EMAIL_COOLDOWN_SECONDS)


def address_key(address):
    return salted_hmac("events.cooldown", address.strip().lower(), algorithm="sha256").hexdigest()


def take(address, now=None):
    """None if the address may be emailed now (the slot is then taken), otherwise when it
    may be."""
    now = now or timezone.now()
    key = address_key(address)
    rows = EmailCooldown.objects.filter(address_key=key)
    # Twice: beat may delete the row (its cooldown long over) between the two statements.
    for _ in range(2):
        EmailCooldown.objects.get_or_create(
            address_key=key, defaults={"last_sent_at": now - period()}
        )
        if rows.filter(last_sent_at__lte=now - period()).update(last_sent_at=now):
            return None
        last = rows.values_list("last_sent_at", flat=True).first()
        if last is not None:
            return last + period()
    return now + period()


def forget_old(now=None):
    """Delete rows whose cooldown has passed: they no longer hold anyone back."""
    now = now or timezone.now()
    deleted, _ = EmailCooldown.objects.filter(last_sent_at__lt=now - period()).delete()
    return deleted
