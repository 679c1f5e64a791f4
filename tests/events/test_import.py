import datetime as dt
import json

import pytest
from django.core.management import CommandError, call_command

from events.models import EventPage
from tests.conftest import read_jsonl

pytestmark = pytest.mark.django_db


def good_event(**overrides):
    record = {
        "id": "e-1",
        "title": "Hearing the child",
        "summary": "A regional day.",
        "description": "Talks.\n\nWorkshops.",
        "start": "2027-06-08T10:00:00+01:00",
        "end": "2027-06-08T16:00:00+01:00",
        "format": "in-person",
        "venue": "Civic Centre, Market Street",
        "region": "North East",
        "criteria": ["trusted-adult"],
        "themes": ["voice-of-the-child"],
        "audiences": ["frontline-response"],
        "capacity": 80,
        "registration_opens": "2027-04-01",
        "registration_closes": "2027-06-06",
    }
    record.update(overrides)
    return record


def write_jsonl(path, records):
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records))
    return path


def test_imports_the_sample_events_and_reimport_does_not_duplicate(sample_data):
    source = sample_data / "events.jsonl"
    records = read_jsonl(source)
    call_command("import_events", str(source))
    assert EventPage.objects.live().count() == len(records) == 36
    first = EventPage.objects.get(external_id=records[0]["id"])
    assert first.start == dt.datetime.fromisoformat(records[0]["start"])
    assert first.capacity == records[0]["capacity"]
    assert first.region.name == records[0]["region"]
    call_command("import_events", str(source))
    assert EventPage.objects.count() == 36


def test_times_keep_their_offset(tmp_path):
    call_command("import_events", str(write_jsonl(tmp_path / "e.jsonl", [good_event()])))
    event = EventPage.objects.get(external_id="e-1")
    assert event.start == dt.datetime(2027, 6, 8, 9, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("bad", "expected"),
    [
        (
            good_event(id="e-2", start="2027-06-08T10:00:00"),
            "field 'start': '2027-06-08T10:00:00' has no time zone offset",
        ),
        (
            good_event(id="e-2", end="2027-06-08T09:00:00+01:00"),
            "field 'end': must be after start",
        ),
        (good_event(id="e-2", format="webinar"), "field 'format': unknown event format 'webinar'"),
        (good_event(id="e-2", region="Atlantis"), "field 'region': unknown region 'Atlantis'"),
        (
            good_event(id="e-2", capacity="fifty"),
            "field 'capacity': must be a whole number or null",
        ),
        (
            good_event(id="e-2", registration_closes="2027-03-01"),
            "field 'registration_closes': must not be before",
        ),
        (
            good_event(id="e-2", venue=""),
            "field 'venue': is needed for in-person and hybrid events",
        ),
        (
            {k: v for k, v in good_event(id="e-2").items() if k != "start"},
            "field 'start': is missing",
        ),
        (
            good_event(id="e-2", capacity=10**30),
            "field 'capacity': must be from 1 to 100,000",
        ),
        (good_event(id="e-2", title="Two\r\nlines"), "field 'title': must be on one line"),
        (
            good_event(id="e-2", venue="Hall\u0000"),
            "field 'venue': must not contain control characters",
        ),
        (
            good_event(id="e-2", region="wales\u0000"),
            "field 'region': must not contain control characters",
        ),
    ],
)
def test_a_bad_event_stops_the_import_with_nothing_written(tmp_path, bad, expected):
    path = write_jsonl(tmp_path / "bad.jsonl", [good_event(), bad])
    with pytest.raises(CommandError) as error:
        call_command("import_events", str(path))
    assert f"{path}:2: {expected}" in str(error.value)
    assert not EventPage.objects.exists()
