"""Calendars as outside clients take them: every file read by both the icalendar and ics
parsers with the properties RFC 5545 and RFC 5546 require; invitations whose MIME headers
Python's email parser reads as a mail client does; UIDs that survive a new domain and a new
import; HEAD and conditional requests answered as HTTP caches and calendar apps expect."""

import datetime as dt
import importlib
import json
from email import message_from_bytes, policy

import pytest
from django.apps import apps
from django.core import mail

from events import booking, tasks
from events.importer import import_events
from events.models import EventPage, Registration
from tests.validators import check_icalendar

pytestmark = pytest.mark.django_db


def invitation_part(email):
    """The text/calendar part of a sent email, parsed from its wire bytes."""
    message = message_from_bytes(email.message().as_bytes(), policy=policy.default)
    parts = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    return parts[0]


def only_event(calendar):
    (event,) = calendar.walk("VEVENT")
    return event


def read_invitation(email, method):
    part = invitation_part(email)
    # One charset, and the METHOD as RFC 6047 (iMIP) asks, in the Content-Type header.
    names = [name for name, _ in part.get_params()]
    assert names.count("charset") == 1, part["Content-Type"]
    assert part.get_param("method") == method
    assert part.get_content_disposition() == "attachment"
    return only_event(check_icalendar(part.get_content(), method=method))


def test_the_registration_email_is_an_invitation_with_organizer_and_attendee(
    make_event, book, settings
):
    event = make_event(title="Hearing the child")
    registration = book(event, name="Sam Officer", email="sam@avon.police.uk")
    assert tasks.send_registration_email(registration.pk, "confirmed") == 1
    vevent = read_invitation(mail.outbox[0], "REQUEST")
    assert str(vevent["UID"]) == str(event.calendar_uid).upper()
    assert str(vevent["ORGANIZER"]) == f"mailto:{settings.NCPI_TEAM_EMAIL}"
    attendee = vevent["ATTENDEE"]
    assert str(attendee) == "mailto:sam@avon.police.uk"
    assert attendee.params["CN"] == "Sam Officer"
    assert attendee.params["PARTSTAT"] == "ACCEPTED"


def test_cancelling_sends_a_cancel_that_outranks_the_invitation(make_event, book):
    event = make_event()
    registration = book(event, email="sam@avon.police.uk")
    tasks.send_registration_email(registration.pk, "confirmed")
    request = read_invitation(mail.outbox[-1], "REQUEST")

    booking.cancel(registration)
    assert tasks.send_registration_email(registration.pk, "cancelled") == 1
    cancel = read_invitation(mail.outbox[-1], "CANCEL")
    assert cancel["UID"] == request["UID"]
    assert cancel["ORGANIZER"] == request["ORGANIZER"]
    assert str(cancel["ATTENDEE"]) == str(request["ATTENDEE"])
    assert cancel["SEQUENCE"] > request["SEQUENCE"]
    assert cancel["STATUS"] == "CANCELLED"

    # Booking again: the new invitation outranks the cancellation, or clients ignore it.
    again = book(event, email="sam@avon.police.uk")
    tasks.send_registration_email(again.pk, "confirmed")
    renewed = read_invitation(mail.outbox[-1], "REQUEST")
    assert renewed["UID"] == request["UID"]
    assert renewed["SEQUENCE"] > cancel["SEQUENCE"]


def test_a_cancelled_event_sends_a_cancel_to_each_confirmed_registrant(make_event, book):
    event = make_event()
    registration = book(event, email="sam@avon.police.uk")
    tasks.send_registration_email(registration.pk, "confirmed")
    request = read_invitation(mail.outbox[-1], "REQUEST")
    event.cancelled = True
    event.save_revision().publish()
    assert tasks.notify_event_changed(event.pk, 1) == 1
    cancel = read_invitation(mail.outbox[-1], "CANCEL")
    assert cancel["UID"] == request["UID"]
    assert cancel["SEQUENCE"] > request["SEQUENCE"]


def test_no_calendar_goes_to_someone_who_never_had_a_place(make_event, book):
    event = make_event(capacity=1)
    book(event)
    waiting = book(event, email="waiting@avon.police.uk")
    assert waiting.status == Registration.Status.WAITLISTED
    booking.cancel(waiting)
    tasks.send_registration_email(waiting.pk, "cancelled")
    assert not [p for p in mail.outbox[-1].message().walk() if "calendar" in p.get_content_type()]


def test_uid_survives_a_new_domain_and_a_new_import(tmp_path, settings, event_index):
    record = {
        "id": "evt-keep",
        "title": "Hearing the child",
        "summary": "A regional day.",
        "description": "Talks.",
        "start": "2027-06-08T10:00:00+01:00",
        "end": "2027-06-08T16:00:00+01:00",
        "format": "online",
        "region": "National",
    }
    source = tmp_path / "events.jsonl"
    source.write_text(json.dumps(record) + "\n")
    import_events(source)
    event = EventPage.objects.get(external_id="evt-keep")
    uid = str(only_event(check_icalendar(_calendar(event)))["UID"])
    assert "@" not in uid and str(event.pk) not in uid.split("-")

    settings.PUBLIC_BASE_URL = "https://new-home.example"
    assert str(only_event(check_icalendar(_calendar(event)))["UID"]) == uid
    import_events(source)  # re-import: updated in place
    assert str(EventPage.objects.get(external_id="evt-keep").calendar_uid).upper() == uid
    # Deleted and imported again (say into a new database): the same UID from the same id.
    EventPage.objects.get(external_id="evt-keep").delete()
    import_events(source)
    event = EventPage.objects.get(external_id="evt-keep")
    assert str(only_event(check_icalendar(_calendar(event)))["UID"]) == uid


def _calendar(event):
    from events import calendar

    return calendar.calendar([event])


def test_the_data_migration_gives_imported_events_their_import_uid(make_event):
    imported = make_event(external_id="evt-old")
    by_hand = make_event()
    migration = importlib.import_module("events.migrations.0005_add_event_calendar_uid")
    migration.fill_calendar_uids(apps, None)
    imported.refresh_from_db()
    by_hand.refresh_from_db()
    from events.calendar import uid_for_import_id

    assert imported.calendar_uid == uid_for_import_id("evt-old")
    assert by_hand.calendar_uid not in (None, imported.calendar_uid)


def test_publishing_an_old_revision_keeps_the_uid(make_event):
    event = make_event()
    uid = event.calendar_uid
    revision = event.latest_revision
    event.title = "Renamed"
    event.save_revision().publish()
    revision.publish()
    assert EventPage.objects.get(pk=event.pk).calendar_uid == uid
    copy = event.copy(update_attrs={"slug": "copied-event"})
    assert copy.calendar_uid != uid


@pytest.fixture
def calendar_urls(make_event, book):
    event = make_event(title="Hearing the child")
    registration = book(event)
    return [
        "/events/feed.ics",
        "/events/feed/initial-contact.ics",
        f"/events/calendar/{event.pk}.ics",
        f"{registration.manage_path()}event.ics",
    ]


def test_every_calendar_file_reads_in_both_parsers(client, calendar_urls):
    for url in calendar_urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"] == "text/calendar; charset=utf-8"
        check_icalendar(response.content, method="PUBLISH")


def test_head_on_every_calendar_answers_like_get(client, calendar_urls):
    for url in calendar_urls:
        response = client.head(url)
        assert response.status_code == 200, url
        assert response["Content-Type"].startswith("text/calendar")
        assert response.content == b""


def test_calendar_feeds_answer_conditional_requests(client, make_event):
    event = make_event(title="Hearing the child")
    for url in ("/events/feed.ics", f"/events/calendar/{event.pk}.ics"):
        first = client.get(url)
        assert client.get(url).content == first.content  # the same bytes while unchanged
        assert first["ETag"] and first["Last-Modified"]
        unchanged = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
        assert unchanged.status_code == 304 and unchanged.content == b""
        since = client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
        assert since.status_code == 304
    etag = client.get("/events/feed.ics")["ETag"]
    event.start += dt.timedelta(days=1)
    event.end += dt.timedelta(days=1)
    event.save_revision().publish()
    changed = client.get("/events/feed.ics", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
