"""Account emails (allauth's address confirmations, password resets and notices; access
requests and decisions) go through the outbox: rendered in the request, held in the database
with the change that caused them, and sent by a task after the commit. A broker or mail server
that is down delays them; it never loses them or turns the request into an error.

The held text holds working links, so only its id travels through the broker and task
arguments, and the row is deleted once the email is sent, or when its links have expired.
"""

import datetime as dt

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from portal import outbox

from .models import HeldEmail


def send_after_commit(message):
    """Hold `message` (a Django EmailMessage) and send it once the transaction commits."""
    from .tasks import send_held_email  # the tasks module imports this one

    with transaction.atomic():
        held = HeldEmail.objects.create(
            to=list(message.to),
            from_email=message.from_email or "",
            subject=message.subject,
            body=message.body,
            alternatives=[
                [content, mimetype] for content, mimetype in getattr(message, "alternatives", [])
            ],
            headers=dict(message.extra_headers),
        )
        outbox.send_after_commit(send_held_email, held.pk)
    return held


def message_of(held):
    message = EmailMultiAlternatives(
        subject=held.subject,
        body=held.body,
        from_email=held.from_email or None,
        to=held.to,
        headers=held.headers,
    )
    for content, mimetype in held.alternatives:
        message.attach_alternative(content, mimetype)
    return message


def send_held(held_id):
    """Send one held email and delete it; False if it is gone (a repeat delivery of the same
    outbox message, or forgotten after its links expired). The row stays locked while the
    email goes, so two deliveries at once send it once; a failure to send keeps it."""
    with transaction.atomic():
        held = HeldEmail.objects.select_for_update().filter(pk=held_id).first()
        if held is None:
            return False
        message_of(held).send()
        held.delete()
    return True


def links_last():
    """How long the links in allauth's emails work: an address confirmation's or a password
    reset's, whichever is longer."""
    return max(
        dt.timedelta(days=settings.ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS),
        dt.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT),
    )


def forget_unsent(now=None):
    """Delete held emails whose links no longer work: their sending has failed for longer
    than the links last, and sending them now would only disappoint."""
    now = now or timezone.now()
    deleted, _ = HeldEmail.objects.filter(created_at__lt=now - links_last()).delete()
    return deleted
