"""When an event is published: new calendar SEQUENCE and emails if it changed, and freed seats
offered to the waitlist if the capacity went up."""

from django.db import transaction

from portal import outbox

from . import booking, calendar
from .models import EventPage


def event_published(sender, instance, **kwargs):
    from .tasks import notify_event_changed

    event = instance.specific if not isinstance(instance, EventPage) else instance
    if not isinstance(event, EventPage):
        return
    with transaction.atomic():
        state = booking.lock_event(event.pk)
        new = calendar.fingerprint(event)
        if state.fingerprint and state.fingerprint != new:
            state.sequence += 1
            outbox.send_after_commit(notify_event_changed, event.pk, state.sequence)
        if state.fingerprint != new:
            state.fingerprint = new
            state.save()
        booking.offer_next(event)


def connect():
    from wagtail.signals import page_published

    page_published.connect(
        event_published, sender=EventPage, dispatch_uid="events.event_published"
    )
