"""iCalendar (RFC 5545) for events: the public feeds, "add to calendar" files and the files
attached to registrants' emails.

Every event keeps one UID for life; its SEQUENCE (EventState.sequence) rises whenever its time,
place or status changes, so calendar clients replace the copy they hold; a cancelled event is
published with STATUS:CANCELLED rather than dropped, so subscribers see it go.
"""

import datetime as dt
import hashlib
import urllib.parse
import zoneinfo

from django.conf import settings
from django.utils import timezone
from django.utils.html import strip_tags
from icalendar import Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard

from portal.links import page_url

from .models import EventState

LONDON = zoneinfo.ZoneInfo("Europe/London")
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
    host = urllib.parse.urlsplit(settings.WAGTAILADMIN_BASE_URL).hostname or "localhost"
    return f"event-{event.pk}@{host}"


def fingerprint(event):
    """What a calendar copy depends on: a change to any of these means a new SEQUENCE."""
    parts = [
        event.title,
        event.start.isoformat(),
        event.end.isoformat(),
        event.venue,
        str(event.format_id),
        str(event.cancelled),
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def sequences(events):
    """{event pk: SEQUENCE} for many events in one query."""
    return dict(
        EventState.objects.filter(event__in=[e.pk for e in events]).values_list(
            "event_id", "sequence"
        )
    )


def vevent(event, *, sequence=0, private=False, cancelled=False):
    """One VEVENT. `private` adds the joining instructions (confirmed registrants only)."""
    item = Event()
    item.add("uid", event_uid(event))
    item.add("dtstamp", timezone.now().astimezone(dt.UTC))
    item.add("dtstart", event.start.astimezone(LONDON))
    item.add("dtend", event.end.astimezone(LONDON))
    item.add("sequence", sequence)
    item.add("summary", event.title)
    item.add("status", "CANCELLED" if (cancelled or event.cancelled) else "CONFIRMED")
    description = [event.summary, "", page_url(event)]
    if private and event.joining_instructions:
        description += ["", "Joining instructions:", strip_tags(event.joining_instructions)]
    item.add("description", "\n".join(description).strip())
    if page_url(event):
        item.add("url", page_url(event))
    location = event.venue if event.format.slug != "online" else "Online"
    if location:
        item.add("location", location.replace("\n", ", "))
    return item


def calendar(events, *, name=None, method="PUBLISH", private=False, cancelled=False):
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
        cal.add("x-wr-timezone", "Europe/London")
    cal.add_component(london_vtimezone())
    seq = sequences(events)
    for event in events:
        cal.add_component(
            vevent(event, sequence=seq.get(event.pk, 0), private=private, cancelled=cancelled)
        )
    return cal.to_ical()


def registration_ics(registration, *, cancelled=False):
    """The file attached to a registrant's emails: with the joining instructions once they
    are confirmed; METHOD:CANCEL when the event or their place is cancelled."""
    event = registration.event
    is_cancelled = cancelled or event.cancelled
    return calendar(
        [event],
        method="CANCEL" if is_cancelled else "PUBLISH",
        private=registration.status == registration.Status.CONFIRMED and not is_cancelled,
        cancelled=is_cancelled,
    )


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
