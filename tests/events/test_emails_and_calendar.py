"""Emails (claimed once, sent over one connection) and iCalendar files and feeds."""

import datetime as dt
import smtplib
from email import message_from_bytes, policy

import pytest
import time_machine
from django.core import mail
from django.utils import timezone
from icalendar import Calendar

from events import booking, emails, tasks
from events.models import EventState, Registration, RegistrationEmail
from portal.models import OutboxMessage
from taxonomy.models import Criterion

pytestmark = pytest.mark.django_db
Status = Registration.Status


def parse(body):
    return Calendar.from_ical(body)


def attached_ics(email):
    """The calendar part of a sent email, as a mail client's MIME parser finds it."""
    message = message_from_bytes(email.message().as_bytes(), policy=policy.default)
    (part,) = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    return part


def only_event(cal):
    (event,) = cal.walk("VEVENT")
    return event


def test_confirmation_has_an_rfc5545_ics_in_london_time(make_event, book):
    start = dt.datetime(2027, 6, 8, 9, 0, tzinfo=dt.UTC)  # 10am BST
    event = make_event(start=start, joining_instructions="<p>https://meet.example/j</p>")
    registration = book(event, email="conf@avon.police.uk")
    assert tasks.send_registration_email(registration.pk, "confirmed") == 1
    (email,) = mail.outbox
    assert email.to == ["conf@avon.police.uk"]
    assert "You are booked on" in email.subject
    assert "https://meet.example/j" in email.body
    assert registration.manage_url() in email.body
    part = attached_ics(email)
    assert part.get_filename() == "event.ics"
    text = part.get_content()
    cal = parse(text)
    assert cal["METHOD"] == "REQUEST"
    (tz,) = cal.walk("VTIMEZONE")
    assert tz["TZID"] == "Europe/London"
    vevent = only_event(cal)
    assert "DTSTART;TZID=Europe/London:20270608T100000" in text
    assert vevent["STATUS"] == "CONFIRMED"
    assert vevent["SEQUENCE"] == 0
    assert "meet.example/j" in str(vevent["DESCRIPTION"])
    # Claimed once: the same email again is not sent.
    assert tasks.send_registration_email(registration.pk, "confirmed") == 0
    assert len(mail.outbox) == 1


def test_reminders_go_once_each_at_two_days_and_two_hours(make_event, book):
    now = timezone.now()
    event = make_event(start=now + dt.timedelta(days=5))
    confirmed = book(event, email="a@avon.police.uk")
    waiting = book(event, email="b@avon.police.uk", name="W")
    waiting.status = Status.WAITLISTED
    waiting.save()

    assert tasks.send_due_reminders() == 0
    with time_machine.travel(event.start - dt.timedelta(hours=47)):
        assert tasks.send_due_reminders() == 1
        assert tasks.send_due_reminders() == 0  # a second beat, or a restarted worker
    with time_machine.travel(event.start - dt.timedelta(hours=1)):
        assert tasks.send_due_reminders() == 1
        assert tasks.send_due_reminders() == 0
    assert [m.to for m in mail.outbox] == [[confirmed.email], [confirmed.email]]
    assert all(m.subject.startswith("Reminder:") for m in mail.outbox)
    assert set(RegistrationEmail.objects.values_list("kind", flat=True)) == {
        "reminder-2h",
        "reminder-48h",
    }


def test_reminder_offsets_are_configurable(make_event, book, settings):
    settings.EVENTS_REMINDER_HOURS = [24]
    event = make_event(start=timezone.now() + dt.timedelta(days=5))
    book(event)
    with time_machine.travel(event.start - dt.timedelta(hours=30)):
        assert tasks.send_due_reminders() == 0
    with time_machine.travel(event.start - dt.timedelta(hours=23)):
        assert tasks.send_due_reminders() == 1


def test_follow_ups_thank_attendees_and_console_the_missing(make_event, book):
    event = make_event(
        resources=[
            {"type": "link", "value": {"title": "Recording", "url": "https://video.example/r"}}
        ]
    )
    came, missed = book(event, email="came@avon.police.uk"), book(event, email="no@x.police.uk")
    Registration.objects.filter(pk=came.pk).update(attended=True)
    Registration.objects.filter(pk=missed.pk).update(attended=False)
    assert tasks.send_follow_ups(event.pk) == 2
    assert tasks.send_follow_ups(event.pk) == 0
    by_to = {m.to[0]: m for m in mail.outbox}
    assert "feedback" in by_to["came@avon.police.uk"].subject.lower()
    assert came.manage_url() + "feedback/" in by_to["came@avon.police.uk"].body
    assert "Sorry we missed you" in by_to["no@x.police.uk"].subject
    assert "https://video.example/r" in by_to["no@x.police.uk"].body
    assert "feedback/" not in by_to["no@x.police.uk"].body


def test_a_changed_then_cancelled_event_keeps_its_uid_with_higher_sequence(
    client, make_event, book, django_capture_on_commit_callbacks
):
    event = make_event(title="Hearing the child")
    registration = book(event)
    first = only_event(parse(client.get(f"/events/calendar/{event.pk}.ics").content))

    event.start += dt.timedelta(days=1)
    event.end += dt.timedelta(days=1)
    with django_capture_on_commit_callbacks():
        event.save_revision().publish()
    assert EventState.objects.get(event=event).sequence == 1
    # Recorded in the outbox with the publish, for the worker to send.
    assert OutboxMessage.objects.filter(
        task="events.tasks.notify_event_changed", args=[event.pk, 1]
    ).exists()
    assert tasks.notify_event_changed(event.pk, 1) == 1
    assert "Event changed" in mail.outbox[-1].subject

    event.cancelled = True
    event.save_revision().publish()
    assert tasks.notify_event_changed(event.pk, 2) == 1
    email = mail.outbox[-1]
    assert email.subject.startswith("Cancelled:")
    cancelled_ics = parse(attached_ics(email).get_content())
    assert cancelled_ics["METHOD"] == "CANCEL"

    feed = parse(client.get("/events/feed.ics").content)
    (in_feed,) = [e for e in feed.walk("VEVENT") if e["UID"] == first["UID"]]
    assert in_feed["SEQUENCE"] == 2
    assert in_feed["STATUS"] == "CANCELLED"
    assert only_event(cancelled_ics)["UID"] == first["UID"]
    # A publish that changes nothing a calendar shows keeps the sequence.
    event.summary = "New summary"
    event.save_revision().publish()
    assert EventState.objects.get(event=event).sequence == 2
    assert registration.pk


def test_feeds_list_public_events_per_criterion_without_private_details(client, make_event):
    make_event(
        title="Initial contact day", joining_instructions="<p>https://meet.example/private</p>"
    )
    make_event(title="Custody day", criteria=[Criterion.objects.get(slug="police-detention")])
    response = client.get("/events/feed.ics")
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    assert "Initial contact day" in body and "Custody day" in body
    assert "meet.example" not in body
    assert "X-WR-TIMEZONE:Europe/London" in body
    custody = client.get("/events/feed/police-detention.ics").content.decode()
    assert "Custody day" in custody and "Initial contact day" not in custody
    assert client.get("/events/feed/no-such-criterion.ics").status_code == 404


def test_event_page_offers_add_to_calendar_links(client, make_event):
    event = make_event(title="Hearing the child")
    html = client.get(event.url).content.decode()
    assert f'href="/events/calendar/{event.pk}.ics"' in html
    assert "calendar.google.com/calendar/render?action=TEMPLATE" in html
    assert "outlook.office.com" in html


def test_cancelling_sends_a_cancel_ics(make_event, book):
    event = make_event()
    registration = booking.cancel(book(event))
    assert tasks.send_registration_email(registration.pk, "cancelled") == 1
    cal = parse(attached_ics(mail.outbox[0]).get_content())
    assert cal["METHOD"] == "CANCEL"
    assert only_event(cal)["STATUS"] == "CANCELLED"


def test_a_reminder_stranded_by_a_killed_worker_is_sent_later_once(make_event, book):
    event = make_event(start=timezone.now() + dt.timedelta(days=5))
    registration = book(event, email="a@avon.police.uk")
    mail.outbox.clear()
    # What a worker killed between claiming and sending leaves behind: a claim, no email.
    RegistrationEmail.objects.create(registration=registration, kind="reminder-48h")

    assert tasks.resend_stranded_emails() == 0  # too recent: its worker may still be sending
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=11)):
        assert tasks.resend_stranded_emails() == 1
        assert tasks.resend_stranded_emails() == 0
        # The reminder beat does not send it again either.
        with time_machine.travel(event.start - dt.timedelta(hours=47)):
            assert tasks.send_due_reminders() == 0
    assert [m.to for m in mail.outbox] == [["a@avon.police.uk"]]
    assert mail.outbox[0].subject.startswith("Reminder:")
    assert RegistrationEmail.objects.get(kind="reminder-48h").sent_at is not None


def test_one_refused_address_does_not_hold_back_the_rest_of_a_batch(make_event, book, sink):
    """A 5xx for one recipient, with the server taking the next message, is that address's
    fault: it is recorded and skipped, not retried for ever in front of everyone else."""
    event = make_event(start=timezone.now() + dt.timedelta(days=5))
    gone = book(event, email="left.the.force@avon.police.uk")
    book(event, email="a@avon.police.uk")
    book(event, email="b@avon.police.uk")
    sink.handler.refuse = {gone.email: (550, "5.1.1 No such user")}
    with time_machine.travel(event.start - dt.timedelta(hours=47)):
        assert tasks.send_due_reminders() == 2
        assert tasks.send_due_reminders() == 0
    with time_machine.travel(event.start - dt.timedelta(hours=46)):
        assert tasks.resend_stranded_emails() == 0
    assert sink.per_recipient() == {"a@avon.police.uk": 1, "b@avon.police.uk": 1}
    refused = RegistrationEmail.objects.get(registration=gone)
    assert refused.sent_at is None and "No such user" in refused.error


def test_a_refusal_with_nothing_taken_after_it_is_retried(make_event, book, sink):
    """It may be the relay refusing everyone: the email is not given up on."""
    event = make_event()
    registration = book(event, email="only@avon.police.uk")
    sink.handler.refuse = {registration.email: (550, "5.7.1 Relaying denied")}
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        emails.send([(registration, "confirmed")])
    assert not RegistrationEmail.objects.exists()
    sink.handler.refuse = {}
    assert emails.send([(registration, "confirmed")]) == 1
