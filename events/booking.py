"""Seat allocation, the waitlist and offers: every change of a registration's status.

Each function that can change who holds a seat runs in one transaction holding the event's
EventState row lock (SELECT ... FOR UPDATE), so concurrent registrations and cancellations for
one event are applied one after another and the seat count read under the lock is exact. A new
registration (`_book`) writes its row before taking the lock and decides its status under it:
other transactions cannot see an uncommitted row, so the count is as exact, and registrations
wait for each other only for the count and the commit.
Emails are recorded in the same transaction (portal.outbox) and enqueued on commit: a
rolled-back change never emails anyone, and a committed one always does, broker down or not.

Police-only events give seats to addresses proven to be the registrant's: a registration waits,
holding nothing, until the link emailed to it is used (`email_confirmed`); unconfirmed ones are
deleted after EVENTS_EMAIL_CONFIRMATION_HOURS. A registrant whose address is already verified
(a verified police account, say) registers with `email_verified=True` and skips that step.
"""

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from portal import outbox

from .models import SEAT_HOLDING, EventPage, EventState, Registration

Status = Registration.Status


class AlreadyRegistered(Exception):
    """This email address already has a live registration for the event."""


def lock_event(event_id):
    """Take the event's allocation lock for the rest of the transaction."""
    state, _ = EventState.objects.select_for_update().get_or_create(event_id=event_id)
    return state


def seats_free(event):
    if event.capacity is None:
        return True
    taken = Registration.objects.filter(event=event, status__in=SEAT_HOLDING).count()
    return taken < event.capacity


def _next_waitlist_position(event):
    last = Registration.objects.filter(event=event).aggregate(n=Max("waitlist_position"))["n"]
    return (last or 0) + 1


def _email(registration, kind, from_form=False):
    """Send an email about the registration once the transaction commits. `from_form`: anyone
    can cause it by typing the address, so the address's cooldown applies (events.cooldown)."""
    return outbox.send_after_commit(
        "events.tasks.send_registration_email", registration.pk, kind, from_form=from_form
    )


def _count_places(registrations):
    # Both counts in one query: this runs under the event's lock on every registration.
    return registrations.aggregate(
        taken=Count("pk", filter=Q(status__in=SEAT_HOLDING)),
        waiting=Count("pk", filter=Q(status=Status.WAITLISTED)),
    )


def _seat_for_next(event, counts):
    """Is there a seat for the next registrant: one free, and nobody waiting ahead?"""
    seat_free = event.capacity is None or counts["taken"] < event.capacity
    return seat_free and not counts["waiting"]


def _seats_left_after(event, counts, registration):
    if event.capacity is not None:
        # Counted under the lock already: the page cache's purge check (caching.signals)
        # reads it instead of counting again.
        registration.seats_left_after_save = event.capacity - counts["taken"] - 1


def _allocate(event, registration):
    """Confirm if a seat is free and nobody is waiting ahead; otherwise join the waitlist."""
    counts = _count_places(Registration.objects.filter(event=event))
    if _seat_for_next(event, counts):
        registration.status = Status.CONFIRMED
        registration.confirmed_at = timezone.now()
        registration.waitlist_position = None
        _seats_left_after(event, counts, registration)
    else:
        registration.status = Status.WAITLISTED
        registration.waitlist_position = _next_waitlist_position(event)


def _book(event, registration):
    """A new registration for an event open to all: a seat if one is free and nobody is waiting
    ahead, else a waitlist place. The registration and its email are written first, as
    confirmed (as most are), and the event's lock is taken after them, so registrations queue
    behind each other only for the seat count and the commit. Nobody else sees the row before
    the commit, so the count under the lock is as exact as _allocate's."""
    registration.status = Status.CONFIRMED
    registration.confirmed_at = timezone.now()
    registration.save()
    message = _email(registration, Status.CONFIRMED, from_form=True)
    lock_event(event.pk)
    others = Registration.objects.filter(event=event).exclude(pk=registration.pk)
    counts = _count_places(others)
    if _seat_for_next(event, counts):
        _seats_left_after(event, counts, registration)
        return
    registration.status = Status.WAITLISTED
    registration.confirmed_at = None
    registration.waitlist_position = _next_waitlist_position(event)
    registration.save(update_fields=["status", "confirmed_at", "waitlist_position"])
    message.args = [registration.pk, Status.WAITLISTED]
    message.save(update_fields=["args"])


def needs_email_confirmation(event):
    return event.access == EventPage.Access.POLICE


def _place(event, registration):
    """A registration whose address is known to be the registrant's: pending for approval
    events, else a seat or a waitlist place. Call while holding the event's lock."""
    if event.access == EventPage.Access.APPROVAL:
        registration.status = Status.PENDING
    else:
        _allocate(event, registration)


def register(event, email_verified=False, **fields):
    """Create a registration: awaiting email confirmation (police-only events, unless the
    address is already verified), pending (approval events), confirmed or waitlisted."""
    fields["email"] = fields["email"].strip().lower()
    try:
        with transaction.atomic():
            registration = Registration(event=event, **fields)
            if needs_email_confirmation(event) and not email_verified:
                registration.status = Status.AWAITING_EMAIL
                registration.save()
                _email(registration, "verify", from_form=True)
            elif event.access == EventPage.Access.APPROVAL:
                lock_event(event.pk)
                _place(event, registration)
                registration.save()
                _email(registration, registration.status, from_form=True)
            else:
                _book(event, registration)
    except IntegrityError as exc:
        # PostgreSQL names the constraint; SQLite (the embedded default) names the columns.
        if "events_one_live_registration_per_email" in str(exc) or "registration.email" in str(
            exc
        ):
            raise AlreadyRegistered(fields["email"]) from exc
        raise
    return registration


def tell_already_registered(event, email):
    """Someone registered an address that already has a live registration: the page they see
    is the usual one, and the address's owner is told by email instead (with their link),
    unless the address was emailed within the cooldown."""
    existing = (
        Registration.objects.filter(event=event, email=email.strip().lower())
        .exclude(status__in=[Status.CANCELLED, Status.EXPIRED])
        .first()
    )
    if existing is not None:
        _email(existing, f"again-{timezone.now():%Y%m%d%H%M%S}", from_form=True)


def confirmation_deadline(registration):
    hours = settings.EVENTS_EMAIL_CONFIRMATION_HOURS
    return registration.created_at + dt.timedelta(hours=hours)


def email_confirmed(registration):
    """The registrant used the link emailed to the address, so it is theirs: a registration
    awaiting that proof takes a seat or a waitlist place now, under the event's lock like any
    other. Returns the registration as it now stands: still awaiting if the event is cancelled
    or over, or None if the time to confirm had passed (it is deleted, as beat would)."""
    with transaction.atomic():
        registration = _reload_locked(registration)
        event = registration.event
        if registration.status != Status.AWAITING_EMAIL:
            return registration
        if confirmation_deadline(registration) < timezone.now():
            registration.delete()
            return None
        if event.cancelled or event.is_past:
            return registration
        _place(event, registration)
        registration.save()
        _email(registration, registration.status)
    return registration


def expire_unconfirmed(now=None):
    """Delete registrations whose address was not confirmed in time: they hold no seat, and an
    address someone else typed is not kept."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(hours=settings.EVENTS_EMAIL_CONFIRMATION_HOURS)
    _, deleted = Registration.objects.filter(
        status=Status.AWAITING_EMAIL, created_at__lt=cutoff
    ).delete()
    return deleted.get(Registration._meta.label, 0)


def offer_next(event):
    """Offer free seats to the waitlist in order. Call while holding the event's lock."""
    if event.cancelled or event.is_past:
        return []
    offered = []
    while seats_free(event):
        nxt = (
            Registration.objects.filter(event=event, status=Status.WAITLISTED)
            .order_by("waitlist_position", "created_at")
            .first()
        )
        if nxt is None:
            break
        nxt.status = Status.OFFERED
        nxt.offer_expires_at = timezone.now() + event.offer_period
        nxt.save(update_fields=["status", "offer_expires_at"])
        _email(nxt, f"offer-{nxt.offer_expires_at:%Y%m%d%H%M%S}")
        offered.append(nxt)
    return offered


def _reload_locked(registration):
    lock_event(registration.event_id)
    return Registration.objects.select_related("event").get(pk=registration.pk)


def cancel(registration):
    """The registrant cancels (signed link). Frees their seat for the waitlist."""
    with transaction.atomic():
        registration = _reload_locked(registration)
        if not registration.is_live:
            return registration
        registration.status = Status.CANCELLED
        registration.cancelled_at = timezone.now()
        registration.offer_expires_at = None
        registration.waitlist_position = None
        registration.save()
        _email(registration, "cancelled")
        offer_next(registration.event)
    return registration


def accept_offer(registration):
    """The person offered a seat takes it. False if the offer has lapsed or is not theirs."""
    with transaction.atomic():
        registration = _reload_locked(registration)
        if registration.status != Status.OFFERED:
            return False
        if registration.offer_expires_at and registration.offer_expires_at < timezone.now():
            return False
        registration.status = Status.CONFIRMED
        registration.confirmed_at = timezone.now()
        registration.offer_expires_at = None
        registration.waitlist_position = None
        registration.save()
        _email(registration, "confirmed")
    return True


def expire_offers(now=None):
    """Lapse offers past their time and pass the seats on. Safe to run twice or in parallel."""
    now = now or timezone.now()
    event_ids = set(
        Registration.objects.filter(status=Status.OFFERED, offer_expires_at__lt=now).values_list(
            "event_id", flat=True
        )
    )
    lapsed = 0
    for event_id in event_ids:
        with transaction.atomic():
            lock_event(event_id)
            # Re-read under the lock: another run may have lapsed them already.
            expired = list(
                Registration.objects.filter(
                    event_id=event_id, status=Status.OFFERED, offer_expires_at__lt=now
                )
            )
            for registration in expired:
                registration.status = Status.EXPIRED
                registration.save(update_fields=["status"])
                _email(registration, "expired")
            lapsed += len(expired)
            offer_next(EventPage.objects.get(pk=event_id))
    return lapsed


# The NCPI team's actions, from the event's registrations page in the admin.


def approve(registration):
    with transaction.atomic():
        registration = _reload_locked(registration)
        if registration.status != Status.PENDING:
            return registration
        _allocate(registration.event, registration)
        registration.save()
        _email(registration, registration.status)
    return registration


def decline(registration):
    with transaction.atomic():
        registration = _reload_locked(registration)
        if registration.status != Status.PENDING:
            return registration
        registration.status = Status.DECLINED
        registration.save(update_fields=["status"])
        _email(registration, "declined")
    return registration


def promote(registration):
    """Confirm someone from the waitlist (or holding an offer) now, even over capacity: the
    team decides, e.g. when a bigger room is found."""
    with transaction.atomic():
        registration = _reload_locked(registration)
        if registration.status not in (Status.WAITLISTED, Status.OFFERED, Status.PENDING):
            return registration
        registration.status = Status.CONFIRMED
        registration.confirmed_at = timezone.now()
        registration.waitlist_position = None
        registration.offer_expires_at = None
        registration.save()
        _email(registration, "confirmed")
    return registration


def move(registration, places):
    """Move a waitlisted registration up (negative) or down (positive) by swapping places."""
    with transaction.atomic():
        registration = _reload_locked(registration)
        if registration.status != Status.WAITLISTED:
            return registration
        waitlist = list(
            Registration.objects.filter(
                event_id=registration.event_id, status=Status.WAITLISTED
            ).order_by("waitlist_position", "created_at")
        )
        index = next(i for i, r in enumerate(waitlist) if r.pk == registration.pk)
        target = min(max(index + places, 0), len(waitlist) - 1)
        waitlist.insert(target, waitlist.pop(index))
        for position, item in enumerate(waitlist, start=1):
            if item.waitlist_position != position:
                item.waitlist_position = position
                item.save(update_fields=["waitlist_position"])
    return registration


def waitlist_place(registration):
    """1 for the first person waiting."""
    return (
        Registration.objects.filter(
            event_id=registration.event_id,
            status=Status.WAITLISTED,
            waitlist_position__lt=registration.waitlist_position,
        ).count()
        + 1
    )
