"""iCalendar (RFC 5545, with RFC 5546's METHODs) for events: the public feeds, "add to
calendar" files and the invitations attached to registrants' emails.

Every event keeps one UID for life (EventPage.calendar_uid); its SEQUENCE (EventState.sequence)
rises whenever its time, place or status changes, so calendar clients replace the copy they
hold; a cancelled event is published with STATUS:CANCELLED rather than dropped, so subscribers
see it go. The NCPI team is the ORGANIZER of every event.
"""

import datetime as dt
import email.utils
import hashlib
import urllib.parse
import uuid
import zoneinfo

from django.conf import settings
from django.utils import timezone
from icalendar import (
    Calendar,
    Event,
    Timezone,
    TimezoneDaylight,
    TimezoneStandard,
    vCalAddress,
    vText,
)

from portal.links import page_url
from portal.rich_text import rich_text_as_plain_text

from .models import EventState

LONDON = zoneinfo.ZoneInfo("Europe/London")
# Imported events take their UID from their import id in this namespace (UUID version 5), so
# an event imported again, into this database or a new one, keeps the UID calendars know.
# Never change it. (The events 0003 migration holds a copy.)
IMPORT_UID_NAMESPACE = uuid.UUID("7696258d-13b7-4f31-bafa-4601c34a39b9")
PRODID = "-//Safeguarding Practice Exchange//Learning events//EN"


def london_vtimezone():
    """Europe/London as the two yearly rules in force since 1996 (last Sunday of March and of
    October), as Outlook and Google publish it. icalendar's generated VTIMEZONE lists every
    transition date and stops in 2038, which is long and no more correct."""
    tz = Timezone()
    tz.add("tzid", "Europe/London")
    daylight = TimezoneDaylight()
    daylight.add("tzname", "BST")
    daylight.add("dtstart", dt.datetime(1981, 3, 29, 1, 0))
    daylight.add("tzoffsetfrom", dt.timedelta(hours=0))
    daylight.add("tzoffsetto", dt.timedelta(hours=1))
    daylight.add("rrule", {"freq": "yearly", "bymonth": 3, "byday": "-1su"})
    standard = TimezoneStandard()
    standard.add("tzname", "GMT")
    standard.add("dtstart", dt.datetime(1996, 10, 27, 2, 0))
    standard.add("tzoffsetfrom", dt.timedelta(hours=1))
    standard.add("tzoffsetto", dt.timedelta(hours=0))
    standard.add("rrule", {"freq": "yearly", "bymonth": 10, "byday": "-1su"})
    tz.add_component(daylight)
    tz.add_component(standard)
    return tz


def event_uid(event):
    """The event's UID: its stored calendar_uid, kept for life across domains, re-imports
    (import ids map to the same UUID) and database moves. RFC 7986 recommends a UUID."""
    return str(event.calendar_uid).upper()


def uid_for_import_id(external_id):
    return uuid.uuid5(IMPORT_UID_NAMESPACE, external_id)


def fingerprint(event):
    """What a calendar copy depends on: a change to any of these means a new SEQUENCE, and an
    email to registrants (so joining details added or changed later reach them). The events
    0004 migration holds a copy, to restate existing fingerprints in this form."""
    parts = [
        event.title,
        event.start.isoformat(),
        event.end.isoformat(),
        event.venue,
        str(event.format_id),
        str(event.cancelled),
        event.joining_url,
        event.joining_instructions,
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def sequences(events):
    """{event pk: SEQUENCE} for many events in one query."""
    return dict(
        EventState.objects.filter(event__in=[e.pk for e in events]).values_list(
            "event_id", "sequence"
        )
    )


def organizer():
    """The NCPI team, who organise every event (RFC 5546 requires an ORGANIZER)."""
    _, address = email.utils.parseaddr(settings.NCPI_TEAM_EMAIL)
    value = vCalAddress(f"mailto:{address}")
    value.params["cn"] = vText("NCPI team")
    return value


def attendee(registration, partstat):
    value = vCalAddress(f"mailto:{registration.email}")
    value.params["cn"] = vText(registration.name)
    value.params["role"] = vText("REQ-PARTICIPANT")
    value.params["partstat"] = vText(partstat)
    # They registered on the site: no reply is expected from their calendar.
    value.params["rsvp"] = vText("FALSE")
    return value


def vevent(event, *, sequence=0, private=False, cancelled=False, stamp=None, attendees=()):
    """One VEVENT. `private` adds the joining instructions (confirmed registrants only);
    `stamp` is its DTSTAMP (default now: when an iTIP message is created)."""
    item = Event()
    item.add("uid", event_uid(event))
    item.add("dtstamp", (stamp or timezone.now()).astimezone(dt.UTC))
    item.add("dtstart", event.start.astimezone(LONDON))
    item.add("dtend", event.end.astimezone(LONDON))
    item.add("sequence", sequence)
    item.add("summary", event.title)
    item.add("status", "CANCELLED" if (cancelled or event.cancelled) else "CONFIRMED")
    item.add("organizer", organizer())
    for value in attendees:
        item.add("attendee", value)
    url = page_url(event)
    description = [event.summary, "", url]
    joining_url = event.joining_url if private and event.is_online else ""
    if joining_url:
        description += ["", f"Join online: {joining_url}"]
    if private and event.joining_instructions:
        instructions = rich_text_as_plain_text(event.joining_instructions)
        description += ["", "Joining instructions:", instructions]
    item.add("description", "\n".join(description).strip())
    if url:
        item.add("url", url)
    location = event.venue if event.format.slug != "online" else (joining_url or "Online")
    if location:
        item.add("location", location.replace("\n", ", "))
    return item


def _calendar(method, name=None):
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
        cal.add("x-wr-timezone", "Europe/London")
    cal.add_component(london_vtimezone())
    return cal


def calendar(events, *, name=None):
    """The public calendar of these events (feeds and "add to calendar" files): METHOD
    PUBLISH, each VEVENT stamped with its last publication, so an unchanged feed is the same
    bytes on every request (its ETag holds)."""
    cal = _calendar("PUBLISH", name)
    seq = sequences(events)
    for event in events:
        cal.add_component(
            vevent(event, sequence=seq.get(event.pk, 0), stamp=event.last_published_at)
        )
    return cal.to_ical()


def attendee_sequence(registration, event_sequence):
    """The SEQUENCE of the event in this registrant's own files: the event's, raised by one
    for their own cancellation, and by two for each earlier registration of theirs that was
    cancelled, so each CANCEL outranks the REQUEST before it and each new REQUEST the CANCEL."""
    from .models import Registration

    earlier = Registration.objects.filter(
        event_id=registration.event_id,
        email=registration.email,
        status=Registration.Status.CANCELLED,
        pk__lt=registration.pk,
    ).count()
    own = 1 if registration.status == Registration.Status.CANCELLED else 0
    return event_sequence + 2 * earlier + own


def registration_ics(registration, *, method=None):
    """(iCalendar bytes, METHOD) for one registrant (RFC 5546).

    In emails: METHOD:REQUEST with ORGANIZER and the registrant as ATTENDEE, which mail clients
    offer to add (and update, by UID and SEQUENCE); METHOD:CANCEL, with the same UID, ORGANIZER
    and ATTENDEE and a higher SEQUENCE, when the event or their place is cancelled, which mail
    clients apply by removing it. The copy downloaded from their page (method="PUBLISH") is a
    plain calendar file. Joining instructions only while their place is confirmed."""
    from .models import Registration

    event = registration.event
    cancelled = event.cancelled or registration.status == Registration.Status.CANCELLED
    if method is None:
        method = "CANCEL" if cancelled else "REQUEST"
    confirmed = registration.status == Registration.Status.CONFIRMED and not cancelled
    state = EventState.objects.filter(event=event).values_list("sequence", flat=True).first()
    attendees = ()
    if method != "PUBLISH":
        attendees = [attendee(registration, "DECLINED" if cancelled else "ACCEPTED")]
    cal = _calendar(method)
    cal.add_component(
        vevent(
            event,
            sequence=attendee_sequence(registration, state or 0),
            private=confirmed,
            cancelled=cancelled,
            attendees=attendees,
        )
    )
    return cal.to_ical(), method


def _utc(value):
    return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def google_calendar_url(event):
    query = urllib.parse.urlencode(
        {
            "action": "TEMPLATE",
            "text": event.title,
            "dates": f"{_utc(event.start)}/{_utc(event.end)}",
            "details": f"{event.summary}\n\n{page_url(event)}",
            "location": event.venue if event.format.slug != "online" else "Online",
            "ctz": "Europe/London",
        }
    )
    return f"https://calendar.google.com/calendar/render?{query}"


def outlook_calendar_url(event):
    query = urllib.parse.urlencode(
        {
            "path": "/calendar/action/compose",
            "rru": "addevent",
            "subject": event.title,
            "startdt": event.start.astimezone(dt.UTC).isoformat(),
            "enddt": event.end.astimezone(dt.UTC).isoformat(),
            "body": f"{event.summary}\n\n{page_url(event)}",
            "location": event.venue if event.format.slug != "online" else "Online",
        }
    )
    return f"https://outlook.office.com/calendar/0/deeplink/compose?{query}"
