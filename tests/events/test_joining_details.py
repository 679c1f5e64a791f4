"""Online and hybrid events have joining details (a link and instructions) that reach confirmed
registrants, in their emails, calendar invitations and own page, and nobody else."""

import datetime as dt
import json

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from events import booking, tasks
from events.importer import import_events
from events.models import EventPage, Registration
from portal.importing import ImportFailed
from taxonomy.models import EventFormat
from tests.validators import check_icalendar

pytestmark = pytest.mark.django_db

LINK = "https://meet.example/j/123"
INSTRUCTIONS = '<p>Passcode 4411. <a href="https://help.example/audio">Audio help</a></p>'


@pytest.fixture
def online(make_event):
    return make_event(
        title="Webinar", capacity=1, joining_url=LINK, joining_instructions=INSTRUCTIONS
    )


def test_confirmed_registrants_get_the_link_and_instructions(client, online, book):
    registration = book(online, email="sam@avon.police.uk")
    tasks.send_registration_email(registration.pk, "confirmed")
    body = mail.outbox[0].body
    assert f"Join online: {LINK}" in body
    assert "Passcode 4411. Audio help (https://help.example/audio)" in body
    part = next(p for p in mail.outbox[0].message().walk() if "calendar" in p.get_content_type())
    (vevent,) = check_icalendar(part.get_payload(decode=True), method="REQUEST").walk("VEVENT")
    assert LINK in str(vevent["DESCRIPTION"]) and str(vevent["LOCATION"]) == LINK
    page = client.get(registration.manage_path()).content.decode()
    assert f'href="{LINK}"' in page and "Passcode 4411" in page


def test_nobody_else_sees_them(client, online, book):
    book(online, email="first@avon.police.uk")
    waiting = book(online, email="second@avon.police.uk")
    assert waiting.status == Registration.Status.WAITLISTED
    tasks.send_registration_email(waiting.pk, "waitlisted")
    seen = [
        mail.outbox[-1].body,
        client.get(waiting.manage_path()).content.decode(),
        client.get(online.url).content.decode(),
        client.get("/events/feed.ics").content.decode(),
        client.get(f"/events/calendar/{online.pk}.ics").content.decode(),
        client.get("/search/?q=webinar").content.decode(),
    ]
    for text in seen:
        assert "meet.example" not in text and "4411" not in text


def test_an_online_event_without_details_says_they_will_follow_and_sends_them_when_added(
    make_event, book
):
    event = make_event(title="Webinar")
    registration = book(event, email="sam@avon.police.uk")
    tasks.send_registration_email(registration.pk, "confirmed")
    assert "we will email you the joining link before the event" in mail.outbox[-1].body

    event.joining_url = LINK
    event.save_revision().publish()
    assert tasks.notify_event_changed(event.pk, 1) == 1
    assert f"Join online: {LINK}" in mail.outbox[-1].body


def test_in_person_events_neither_take_a_link_nor_promise_one(client, make_event):
    in_person = make_event(
        format=EventFormat.objects.get(slug="in-person"), venue="Civic Centre, Market Street"
    )
    in_person.joining_url = LINK
    with pytest.raises(ValidationError) as error:
        in_person.full_clean()
    assert "joining_url" in error.value.message_dict
    in_person.joining_url = ""
    page = client.get(in_person.url).content.decode()
    assert "joining details" not in page


def test_the_link_must_be_https(online):
    online.joining_url = "http://meet.example/j/123"
    with pytest.raises(ValidationError) as error:
        online.full_clean()
    assert "joining_url" in error.value.message_dict


def record(**overrides):
    start = timezone.now() + dt.timedelta(days=30)
    values = {
        "id": "evt-join",
        "title": "Webinar",
        "summary": "A webinar.",
        "description": "Talks.",
        "start": start.isoformat(),
        "end": (start + dt.timedelta(hours=1)).isoformat(),
        "format": "online",
        "region": "National",
    }
    values.update(overrides)
    return values


def test_imports_carry_joining_details_and_keep_those_added_in_the_admin(tmp_path, event_index):
    source = tmp_path / "events.jsonl"
    source.write_text(json.dumps(record(joining_url=LINK, joining_instructions="Passcode 1")))
    import_events(source)
    event = EventPage.objects.get(external_id="evt-join")
    assert (event.joining_url, event.joining_instructions) == (LINK, "<p>Passcode 1</p>")
    # A later file without the fields leaves what the NCPI team set.
    source.write_text(json.dumps(record(title="Webinar, renamed")))
    import_events(source)
    event.refresh_from_db()
    assert event.title == "Webinar, renamed" and event.joining_url == LINK


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"joining_url": "http://meet.example/j"}, "must be an https:// address"),
        (
            {"joining_url": LINK, "format": "in-person", "venue": "Hall"},
            "is for online and hybrid events only",
        ),
    ],
)
def test_imports_refuse_a_bad_link(tmp_path, event_index, overrides, message):
    source = tmp_path / "events.jsonl"
    source.write_text(json.dumps(record(**overrides)))
    with pytest.raises(ImportFailed) as error:
        import_events(source)
    assert "joining_url" in str(error.value) and message in str(error.value)


def test_cancelled_places_lose_the_details(client, online, book):
    registration = booking.cancel(book(online, email="sam@avon.police.uk"))
    assert "meet.example" not in client.get(registration.manage_path()).content.decode()
