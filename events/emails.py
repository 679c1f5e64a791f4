"""Emails to registrants: built here, sent by events.tasks.

Every email is claimed first (a RegistrationEmail row unique per registration and kind) and
sent over one reused SMTP connection per batch, so a retried task or restarted worker never
sends one twice. A worker killed between claiming and sending leaves an unsent claim, which
resend_stranded (run by beat) sends a few minutes later, so nothing is lost either.

Emails anyone can cause by typing an address into the registration form go through the
address's cooldown (events.cooldown, `send_from_form`): within it, the outcome of a registration
waits (a claim with `send_after`, sent by beat) and a "registered again" notice is dropped.
"""

import datetime as dt
import smtplib
from email.mime.text import MIMEText

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format

from portal.links import page_url, public_base_url
from portal.rich_text import rich_text_as_plain_text
from portal.text import one_line

from . import calendar, cooldown
from .models import EventMessage, Registration, RegistrationEmail

# Kinds whose email carries the event's .ics file.
ICS_KINDS = ("confirmed", "reminder", "changed", "cancelled")


def _when(event):
    start = timezone.localtime(event.start)
    return date_format(start, "l j F Y, H:i")


def joining_details(registration):
    """What a registrant is told about joining an online or hybrid event: the link and the
    instructions once their place is confirmed, never before; that they will follow, when
    the event has none yet."""
    event = registration.event
    confirmed = registration.status == Registration.Status.CONFIRMED and not event.cancelled
    if not confirmed:
        return {"joining_url": "", "joining_instructions": "", "joining_later": False}
    return {
        "joining_url": event.joining_url if event.is_online else "",
        "joining_instructions": rich_text_as_plain_text(event.joining_instructions),
        "joining_later": event.is_online and not event.has_joining_details,
    }


def subject_and_template(registration, kind):
    event = registration.event
    title = event.title
    base = kind.split("-", 1)[0]
    subjects = {
        "verify": f"Confirm your email address to book {title}",
        "again": f"Your registration for {title}",
        "pending": f"Registration received, awaiting approval: {title}",
        "confirmed": f"You are booked on {title}",
        "waitlisted": f"You are on the waitlist for {title}",
        "offer": f"A place is free for you: {title}",
        "expired": f"Your offered place has passed on: {title}",
        "cancelled": f"Registration cancelled: {title}",
        "declined": f"Your registration was not approved: {title}",
        "reminder": f"Reminder: {title}, {_when(event)}",
        "attended": f"Thank you for attending {title}: resources and feedback",
        "missed": f"Sorry we missed you at {title}: the resources",
        "changed": (f"Cancelled: {title}" if event.cancelled else f"Event changed: {title}"),
    }
    return subjects.get(base, title), f"events/email/{base}.txt"


def build(registration, kind, connection=None, message=None):
    event = registration.event
    context = {
        "registration": registration,
        "event": event,
        "when": _when(event),
        "manage_url": registration.manage_url(),
        "feedback_url": registration.manage_url() + "feedback/",
        "event_url": page_url(event),
        "base_url": public_base_url(),
        **joining_details(registration),
        "message": message,
        "confirm_hours": settings.EVENTS_EMAIL_CONFIRMATION_HOURS,
    }
    if message is not None:
        subject, template = message.subject, "events/email/message.txt"
    else:
        subject, template = subject_and_template(registration, kind)
    email = EmailMessage(
        # Titles and subjects are edited in the admin: a line break in one must not stop the
        # email (Django refuses a subject with a line break).
        subject=one_line(subject),
        body=render_to_string(template, context),
        to=[registration.email],
        reply_to=[settings.NCPI_TEAM_EMAIL],
        connection=connection,
    )
    base = kind.split("-", 1)[0]
    # Only someone whose place was confirmed has the event in their calendar to update.
    if base in ICS_KINDS and registration.confirmed_at is not None:
        if registration.status in (Registration.Status.CONFIRMED, Registration.Status.CANCELLED):
            email.attach(invitation(registration))
    return email


def invitation(registration):
    """The registrant's iCalendar invitation (REQUEST) or cancellation (CANCEL) as a MIME
    part: text/calendar with its charset once and the METHOD as a parameter, as RFC 6047
    (iMIP) asks, so mail clients offer to add, update or remove the event."""
    body, method = calendar.registration_ics(registration)
    part = MIMEText(body.decode("utf-8"), "calendar", "utf-8")
    part.set_param("method", method)
    part.add_header("Content-Disposition", "attachment", filename="event.ics")
    return part


def claim(registration, kind):
    """Record the email before sending it; None if it was already claimed (sent or sending)."""
    try:
        with transaction.atomic():
            return RegistrationEmail.objects.create(registration=registration, kind=kind)
    except IntegrityError:
        return None


def send(pairs, message=None):
    """Send (registration, kind) emails over one connection; returns how many were sent.

    A send that fails releases its claim and re-raises, so the task's retry picks it up. A
    5xx to one recipient is that address's for good once the server takes a later message:
    it is recorded (`error`) and never retried, so one dead address cannot hold back a batch.
    Refused with nothing taken after it, it may be the relay refusing everyone: released and
    re-raised like any failure."""
    sent = 0
    refused = []  # (claim, error) refused at RCPT TO, not yet known to be the recipient's
    connection = get_connection()
    try:
        with connection:
            for registration, kind in pairs:
                if registration.anonymised_at is not None:
                    continue  # anonymised after the email was queued: nobody to send it to
                record = claim(registration, kind)
                if record is None:
                    continue
                email = build(registration, kind, connection=connection, message=message)
                try:
                    connection.send_messages([email])
                except smtplib.SMTPRecipientsRefused as exc:
                    if all(code >= 500 for code, _ in exc.recipients.values()):
                        refused.append((record, exc))
                        continue
                    record.delete()
                    raise
                except OSError:
                    record.delete()
                    raise
                RegistrationEmail.objects.filter(pk=record.pk).update(sent_at=timezone.now())
                sent += 1
                for held, exc in refused:
                    RegistrationEmail.objects.filter(pk=held.pk).update(error=str(exc)[:255])
                refused = []
    finally:
        for held, _ in refused:
            held.delete()
    if refused:
        raise refused[-1][1]
    return sent


# A claim still unsent after this long belongs to a worker that died between claiming and
# sending (sending one message takes milliseconds): the sweep sends it then.
STRANDED_AFTER = dt.timedelta(minutes=10)


def resend_stranded(now=None):
    """Send emails whose claim was left unsent by a killed worker; returns how many.

    Each stranded claim is taken over with a conditional update, so two sweeps running at once
    never both send it. The only possible repeat is a message the mail server accepted just
    before the worker died, before its claim was marked sent: never sending is worse than that.
    """
    now = now or timezone.now()
    cutoff = now - STRANDED_AFTER
    stranded = RegistrationEmail.objects.filter(
        sent_at__isnull=True, send_after__isnull=True, error="", created_at__lt=cutoff
    )
    sent = 0
    connection = get_connection()
    with connection:
        for record in stranded.select_related("registration__event__format")[:200]:
            taken = RegistrationEmail.objects.filter(
                pk=record.pk, sent_at__isnull=True, created_at=record.created_at
            ).update(created_at=now)
            if taken:
                sent += _send_record(record, connection)
    return sent


def _send_record(record, connection):
    """Send a claim this sweep has taken over, and mark it sent."""
    if record.registration.anonymised_at is not None:
        record.delete()  # anonymised after the email was queued: nobody to send it to
        return 0
    message = None
    if record.kind.startswith("message-"):
        message = EventMessage.objects.filter(pk=record.kind.removeprefix("message-")).first()
        if message is None:
            return 0
    email = build(record.registration, record.kind, connection=connection, message=message)
    connection.send_messages([email])
    RegistrationEmail.objects.filter(pk=record.pk).update(sent_at=timezone.now())
    return 1


# Kinds that only tell the owner about someone's attempt: within the cooldown they are dropped,
# since an email with the same link reached the address minutes ago.
DROPPED_IN_COOLDOWN = ("again",)


def send_from_form(registration, kind, now=None):
    """An email caused by someone typing this address into the registration form: sent now if
    the address's cooldown allows, otherwise queued for when it does (or, for a notice, not at
    all). Returns how many were sent now."""
    now = now or timezone.now()
    if RegistrationEmail.objects.filter(registration=registration, kind=kind).exists():
        return 0
    free_at = cooldown.take(registration.email, now)
    if free_at is None:
        return send([(registration, kind)])
    if kind.split("-", 1)[0] not in DROPPED_IN_COOLDOWN:
        try:
            with transaction.atomic():
                RegistrationEmail.objects.create(
                    registration=registration, kind=kind, send_after=free_at
                )
        except IntegrityError:
            pass  # claimed meanwhile by another run of the same task
    return 0


def send_deferred(now=None):
    """Beat: send queued emails whose address's cooldown has passed, one per address per
    cooldown still; returns how many were sent."""
    now = now or timezone.now()
    due = RegistrationEmail.objects.filter(sent_at__isnull=True, send_after__lte=now)
    sent = 0
    connection = get_connection()
    with connection:
        for record in due.select_related("registration__event__format").order_by("pk")[:200]:
            if record.registration.anonymised_at is not None:
                record.delete()  # anonymised while it waited: nobody to send it to
                continue
            free_at = cooldown.take(record.registration.email, now)
            if free_at is not None:
                RegistrationEmail.objects.filter(pk=record.pk, sent_at__isnull=True).update(
                    send_after=free_at
                )
                continue
            # Now an ordinary claim: if this worker dies, resend_stranded sends it.
            taken = RegistrationEmail.objects.filter(
                pk=record.pk, sent_at__isnull=True, send_after=record.send_after
            ).update(send_after=None, created_at=now)
            if taken:
                sent += _send_record(record, connection)
    return sent


def unsent(registrations, kind):
    """Registrations with no claimed email of this kind."""
    return registrations.exclude(emails__kind=kind)


def message_kind(message):
    return f"message-{message.pk}"
