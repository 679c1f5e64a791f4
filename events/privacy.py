"""Registrants' personal data: what they can download, and anonymising it.

A registration holds a name, an email address, answers to the event's questions (which may
include access or dietary needs) and feedback comments. The person can download it and erase
it from their signed link; otherwise it is anonymised EVENTS_ANONYMISE_AFTER_DAYS after the
event ends. Anonymising keeps the row, its status, force, role and attendance, and the
feedback's usefulness score, so the NCPI team's counts stay right; everything that says who it
was, and every free-text answer or comment (an organisation's typed name too: it then counts
as "Other (not listed)"), goes.
"""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import booking
from .models import Feedback, Registration, RegistrationEmail

# Registrations anonymised per statement: one transaction each, short enough not to hold
# up registrations for long; the beat task enqueues itself again while any remain.
ANONYMISE_BATCH = 500


def anonymise_on(event):
    """The date an event's registrations are anonymised."""
    days = dt.timedelta(days=settings.EVENTS_ANONYMISE_AFTER_DAYS)
    return timezone.localdate(event.end + days)


def registration_data(registration):
    """Everything held about one registration, for the registrant (UK GDPR right of access)."""
    event = registration.event
    feedback = Feedback.objects.filter(registration=registration).first()
    emails = RegistrationEmail.objects.filter(registration=registration).order_by("pk")

    def iso(value):
        return value.isoformat() if value else None

    return {
        "event": {
            "title": event.title,
            "start": iso(event.start),
            "end": iso(event.end),
            "url": event.full_url,
        },
        "name": registration.name,
        "email": registration.email,
        "organisation": registration.organisation_name,
        "role": registration.role_name,
        "answers": registration.answers,
        "consent_to_contact": registration.consent_to_contact,
        "status": registration.status,
        "waitlist_position": registration.waitlist_position,
        "attended": registration.attended,
        "registered_at": iso(registration.created_at),
        "confirmed_at": iso(registration.confirmed_at),
        "cancelled_at": iso(registration.cancelled_at),
        "emails": [{"kind": e.kind, "sent_at": iso(e.sent_at)} for e in emails],
        "feedback": feedback
        and {
            "usefulness": feedback.get_usefulness_display(),
            "will_change": feedback.will_change,
            "comments": feedback.comments,
            "given_at": iso(feedback.created_at),
        },
        "anonymised_on": anonymise_on(event).isoformat(),
    }


def anonymise(registrations):
    """Anonymise these registrations (a queryset); returns how many were."""
    with transaction.atomic():
        ids = list(
            registrations.filter(anonymised_at__isnull=True)
            .select_for_update()
            .values_list("pk", flat=True)
        )
        Feedback.objects.filter(registration_id__in=ids).update(will_change="", comments="")
        # Emails claimed but not sent yet would go to nobody: drop them (emails.send skips
        # anonymised registrations from now on).
        RegistrationEmail.objects.filter(registration_id__in=ids, sent_at__isnull=True).delete()
        return Registration.objects.filter(pk__in=ids).update(
            name="",
            email=None,
            organisation_other="",
            answers=[],
            consent_to_contact=False,
            anonymised_at=timezone.now(),
        )


def erase(registration):
    """The registrant erases their registration: a place they hold or wait for is cancelled
    first (freeing it for the waitlist), then the registration is anonymised."""
    # One transaction: the cancellation's emails are enqueued on commit, by when there is
    # nobody to send them to.
    with transaction.atomic():
        if registration.is_live and not registration.event.is_past:
            booking.cancel(registration)
        anonymise(Registration.objects.filter(pk=registration.pk))


def anonymise_past(now=None, batch=ANONYMISE_BATCH):
    """Anonymise registrations of events that ended EVENTS_ANONYMISE_AFTER_DAYS ago, a batch
    at a time. Returns (how many, whether more remain)."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.EVENTS_ANONYMISE_AFTER_DAYS)
    due = Registration.objects.filter(event__end__lt=cutoff, anonymised_at__isnull=True)
    ids = list(due.order_by("pk").values_list("pk", flat=True)[:batch])
    count = anonymise(Registration.objects.filter(pk__in=ids))
    return count, len(ids) == batch and due.exists()
