"""Background work for events: registrants' emails, reminders, lapsing offers, follow-ups.

Tasks take primary keys and are safe to run twice: every email is claimed in the database
before it is sent (events.emails), and status changes are re-checked under the event's lock.
"""

import datetime as dt

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from . import booking, cooldown, emails, privacy
from .models import EventMessage, EventPage, Registration

# Emails per task run: about a minute of SMTP at worst, well inside the time limits, and the
# task re-enqueues itself for the rest.
EMAIL_BATCH = 200
RETRY = {"bind": True, "max_retries": 8, "soft_time_limit": 5 * 60, "time_limit": 6 * 60}


def _retry(task, exc):
    return task.retry(exc=exc, countdown=60 * 2**task.request.retries)


@shared_task(**RETRY)
def send_registration_email(self, registration_id, kind, from_form=False):
    """One email about one registration's status (confirmed, waitlisted, offer...). `from_form`:
    caused by someone typing the address, so the address's cooldown applies."""
    registration = (
        Registration.objects.select_related("event", "event__format")
        .filter(pk=registration_id)
        .first()
    )
    if registration is None:
        return 0
    try:
        if from_form:
            return emails.send_from_form(registration, kind)
        return emails.send([(registration, kind)])
    except OSError as exc:
        raise _retry(self, exc) from exc


@shared_task(**RETRY)
def send_deferred_emails(self):
    """Beat, every minute: registration emails that waited for their address's cooldown."""
    try:
        return emails.send_deferred()
    except OSError as exc:
        raise _retry(self, exc) from exc


@shared_task(soft_time_limit=5 * 60, time_limit=6 * 60)
def expire_unconfirmed():
    """Beat: delete police-only registrations whose address was never confirmed, and the
    cooldown rows that no longer hold anyone back."""
    return booking.expire_unconfirmed() + cooldown.forget_old()


def reminder_hours():
    return sorted(getattr(settings, "EVENTS_REMINDER_HOURS", [48, 2]))


def due_reminders(now=None):
    """(event, kind, hours) for each event whose reminder window is open now. Only the
    nearest reminder is due, so a beat that was down for a while sends one, not a burst."""
    now = now or timezone.now()
    longest = max(reminder_hours())
    events = EventPage.objects.live().filter(
        cancelled=False, start__gt=now, start__lte=now + dt.timedelta(hours=longest)
    )
    due = []
    for event in events.select_related("format"):
        for hours in reminder_hours():
            if event.start - dt.timedelta(hours=hours) <= now:
                due.append((event, f"reminder-{hours}h", hours))
                break
    return due


@shared_task(**RETRY)
def send_due_reminders(self):
    """Beat: remind confirmed registrants before their event (default 2 days and 2 hours)."""
    sent = 0
    more = False
    for event, kind, hours in due_reminders():
        window_opened = event.start - dt.timedelta(hours=hours)
        # Someone confirmed after the window opened has just had their confirmation.
        recipients = emails.unsent(
            event.registrations.filter(
                status=Registration.Status.CONFIRMED, confirmed_at__lte=window_opened
            ),
            kind,
        ).select_related("event", "event__format")
        batch = list(recipients[:EMAIL_BATCH])
        more = more or len(batch) == EMAIL_BATCH
        try:
            sent += emails.send([(registration, kind) for registration in batch])
        except OSError as exc:
            raise _retry(self, exc) from exc
    if more:
        send_due_reminders.delay()
    return sent


@shared_task(bind=True, soft_time_limit=5 * 60, time_limit=6 * 60)
def expire_offers(self):
    """Beat: an offer not accepted in time passes to the next person on the waitlist."""
    return booking.expire_offers()


def _send_group(task, event, registrations, kind, message=None):
    batch = list(
        emails.unsent(registrations, kind).select_related("event", "event__format")[:EMAIL_BATCH]
    )
    try:
        sent = emails.send([(r, kind) for r in batch], message=message)
    except OSError as exc:
        raise _retry(task, exc) from exc
    return sent, len(batch) == EMAIL_BATCH


@shared_task(**RETRY)
def send_follow_ups(self, event_id):
    """After the event: attendees get the feedback form and resources; confirmed registrants
    who did not come get the resources and a "sorry we missed you"."""
    event = EventPage.objects.filter(pk=event_id).first()
    if event is None:
        return 0
    confirmed = event.registrations.filter(status=Registration.Status.CONFIRMED)
    sent_a, more_a = _send_group(self, event, confirmed.filter(attended=True), "attended")
    sent_m, more_m = _send_group(self, event, confirmed.exclude(attended=True), "missed")
    if more_a or more_m:
        send_follow_ups.delay(event_id)
    return sent_a + sent_m


@shared_task(**RETRY)
def notify_event_changed(self, event_id, sequence):
    """Tell everyone holding or waiting for a place that the event changed or was cancelled."""
    event = EventPage.objects.filter(pk=event_id).first()
    if event is None:
        return 0
    registrations = event.registrations.filter(
        status__in=[
            Registration.Status.CONFIRMED,
            Registration.Status.OFFERED,
            Registration.Status.WAITLISTED,
            Registration.Status.PENDING,
        ]
    )
    sent, more = _send_group(self, event, registrations, f"changed-{sequence}")
    if more:
        notify_event_changed.delay(event_id, sequence)
    return sent


@shared_task(**RETRY)
def send_event_message(self, message_id):
    """The NCPI team's email to all registrants of an event or one status group."""
    message = EventMessage.objects.select_related("event").filter(pk=message_id).first()
    if message is None:
        return 0
    registrations = message.event.registrations.filter(status__in=message.statuses)
    sent, more = _send_group(
        self, message.event, registrations, emails.message_kind(message), message=message
    )
    if more:
        send_event_message.delay(message_id)
    return sent


@shared_task(**RETRY)
def resend_stranded_emails(self):
    """Send emails a killed worker claimed but never sent (see events.emails)."""
    try:
        return emails.resend_stranded()
    except OSError as exc:
        raise _retry(self, exc) from exc


@shared_task(soft_time_limit=5 * 60, time_limit=6 * 60)
def anonymise_past_registrations():
    """Beat, daily: anonymise registrations (and feedback comments) of events that ended
    EVENTS_ANONYMISE_AFTER_DAYS ago. Safe to run twice: anonymised rows are skipped."""
    count, more = privacy.anonymise_past()
    if more:
        anonymise_past_registrations.delay()
    return count
