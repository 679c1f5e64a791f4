"""Registrants' emails through a real Celery worker on Redis and a real SMTP server."""

import datetime as dt
import threading

import pytest
from celery.signals import task_postrun
from django.utils import timezone
from icalendar import Calendar

from events.models import Registration, RegistrationEmail
from events.tasks import send_due_reminders
from tests.e2e.conftest import celery_worker, smtp_sink  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def ics_of(message):
    for part in message.iter_attachments():
        if part.get_content_type() == "text/calendar":
            return Calendar.from_ical(part.get_payload(decode=True))
    return None


def test_registering_emails_a_confirmation_with_ics_then_cancel_offers_the_seat(
    celery_worker,  # noqa: F811
    smtp_sink,  # noqa: F811
    client,
    make_event,
    form_data,
    postgres,
):
    event = make_event(
        title="Hearing the child",
        capacity=1,
        joining_instructions="<p>https://meet.example/join</p>",
    )
    assert client.post(event.url, form_data(email="first@avon.police.uk")).status_code == 302
    assert client.post(event.url, form_data(email="second@kent.police.uk")).status_code == 302

    messages = smtp_sink.wait_for(2)
    by_to = {tuple(to): message for to, message in messages}
    confirmation = by_to[("first@avon.police.uk",)]
    assert "You are booked on Hearing the child" in confirmation["Subject"]
    body = confirmation.get_body(preferencelist=("plain",)).get_content()
    assert "https://meet.example/join" in body
    cal = ics_of(confirmation)
    assert cal is not None and cal.walk("VTIMEZONE")[0]["TZID"] == "Europe/London"
    assert "waitlist" in by_to[("second@kent.police.uk",)]["Subject"]
    assert ics_of(by_to[("second@kent.police.uk",)]) is None

    first = Registration.objects.get(email="first@avon.police.uk")
    client.post(first.manage_path(), {"action": "cancel"})
    messages = smtp_sink.wait_for(4)
    subjects = {message["Subject"] for _, message in messages[2:]}
    assert "Registration cancelled: Hearing the child" in subjects
    assert "A place is free for you: Hearing the child" in subjects


def test_reminders_through_the_worker_go_once_even_when_run_twice(
    celery_worker,  # noqa: F811
    smtp_sink,  # noqa: F811
    make_event,
    book,
    postgres,
):
    # Inside the two-day reminder window, booked well before it opened.
    event = make_event(start=timezone.now() + dt.timedelta(hours=40))
    registration = book(event, email="remind@avon.police.uk")
    Registration.objects.filter(pk=registration.pk).update(
        confirmed_at=timezone.now() - dt.timedelta(days=10)
    )
    smtp_sink.wait_for(1)  # the confirmation
    # The worker runs in a thread of this process: its task_postrun signal says when each
    # run of the task has finished.
    finished = threading.Semaphore(0)

    def count_reminder_runs(sender=None, **kwargs):
        if sender.name == send_due_reminders.name:
            finished.release()

    task_postrun.connect(count_reminder_runs, weak=False)
    try:
        # Two beats in a row, as after a worker restart: one reminder.
        send_due_reminders.delay()
        send_due_reminders.delay()
        assert finished.acquire(timeout=60) and finished.acquire(timeout=60)
    finally:
        task_postrun.disconnect(count_reminder_runs)
    assert RegistrationEmail.objects.filter(
        registration=registration, kind="reminder-48h", sent_at__isnull=False
    ).exists()
    reminders = [m for _, m in smtp_sink.messages if m["Subject"].startswith("Reminder:")]
    assert len(reminders) == 1
    assert reminders[0]["To"] == "remind@avon.police.uk"
