"""A subscriber's own emails (the double opt-in confirmation, a fresh manage link) and
unsubscribing from everything. Sending those emails, once and with retries, is tasks.py's job;
this module only builds them."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from . import links
from .models import Subscriber


def confirmation_email(subscriber):
    """The double opt-in email listing the topics this subscriber asked for."""
    subscriptions = subscriber.subscriptions.filter(active=False).select_related(
        "criterion", "theme", "audience"
    )
    body = render_to_string(
        "newsletters/email/confirm.txt",
        {
            "subscriptions": subscriptions,
            "confirm_url": links.confirm_url(subscriber),
            "manage_url": links.manage_url(subscriber),
            "max_age_days": settings.NEWSLETTERS_CONFIRM_MAX_AGE // 86400,
        },
    )
    return EmailMessage(
        subject="Confirm your subscription to the Safeguarding Practice Exchange",
        body=body,
        to=[subscriber.email],
    )


def manage_link_email(subscriber):
    """A fresh manage link (and unsubscribe link) for a subscriber whose old one expired."""
    body = render_to_string(
        "newsletters/email/manage_link.txt",
        {
            "manage_url": links.manage_url(subscriber),
            "unsubscribe_url": links.unsubscribe_url(subscriber),
            "max_age_days": settings.NEWSLETTERS_MANAGE_MAX_AGE // 86400,
        },
    )
    return EmailMessage(
        subject="Your link to change your email updates", body=body, to=[subscriber.email]
    )


def unsubscribe_from_everything(subscriber):
    """What the unsubscribe link does: every subscription ends, and the address is marked
    unsubscribed (to be erased after NEWSLETTERS_ERASE_AFTER_DAYS) unless it is suppressed.
    Returns when it was unsubscribed, or None for a suppressed address (kept to stop mail)."""
    with transaction.atomic():
        subscriber.subscriptions.all().delete()
        if subscriber.status == Subscriber.Status.SUPPRESSED:
            return None
        unsubscribed_at = subscriber.unsubscribed_at or timezone.now()
        Subscriber.objects.filter(pk=subscriber.pk).update(
            status=Subscriber.Status.UNSUBSCRIBED, unsubscribed_at=unsubscribed_at
        )
    return unsubscribed_at
