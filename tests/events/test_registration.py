"""Registering without an account: the form, access modes, refusals, capacity and waitlist."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from events import booking, tasks
from events.models import EventPage, EventQuestion, Registration
from portal.models import OutboxMessage
from taxonomy.models import Organisation

pytestmark = pytest.mark.django_db
Status = Registration.Status


def test_registering_confirms_a_seat_and_shows_the_outcome(
    client, make_event, form_data, django_capture_on_commit_callbacks
):
    event = make_event(capacity=2, joining_instructions="<p>Join at https://meet.example/x</p>")
    with django_capture_on_commit_callbacks():
        response = client.post(event.url, form_data(email="Sam.Officer@Avon.Police.UK"))
    assert response.status_code == 302
    registration = Registration.objects.get()
    assert registration.status == Status.CONFIRMED
    assert registration.email == "sam.officer@avon.police.uk"
    assert registration.consent_to_contact is True

    page = client.get(response["Location"])
    html = page.content.decode()
    assert "Check your email" in html
    # Whoever filled in the form may not own the address: the outcome goes only by email, and
    # the page shows neither the address nor private details.
    assert "sam.officer@avon.police.uk" not in html
    assert "meet.example" not in html
    assert "1 of 2 left" in client.get(event.url).content.decode()


def test_new_events_ask_accessibility_and_dietary_needs_and_answers_are_kept(
    client, make_event, form_data, admin_client, event_index
):
    # The admin's "add event" form offers the two default questions.
    add_url = f"/admin/pages/add/events/eventpage/{event_index.pk}/"
    html = admin_client.get(add_url).content.decode()
    assert "Do you have any access needs?" in html
    assert "Do you have any dietary needs?" in html

    event = make_event()
    access = EventQuestion.objects.create(page=event, label="Do you have any access needs?")
    choice = EventQuestion.objects.create(
        page=event,
        label="Which workshop?",
        kind=EventQuestion.Kind.CHOICE,
        choices="Morning\nAfternoon",
        required=True,
    )
    html = client.get(event.url).content.decode()
    assert "Do you have any access needs?" in html and "Afternoon" in html

    response = client.post(event.url, form_data())
    assert response.status_code == 400
    assert "Answer the question: Which workshop?" in response.content.decode()
    assert not Registration.objects.exists()

    response = client.post(
        event.url,
        form_data(**{f"question_{access.pk}": "Hearing loop", f"question_{choice.pk}": "Morning"}),
    )
    assert response.status_code == 302
    assert Registration.objects.get().answers == [
        {"question": "Do you have any access needs?", "answer": "Hearing loop"},
        {"question": "Which workshop?", "answer": "Morning"},
    ]


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"name": ""}, "Enter your full name"),
        ({"name": "Sam\nOfficer"}, "Full name must be on one line"),
        ({"name": "Sam\u0000"}, "Full name must not contain control characters"),
        ({"email": "not-an-email"}, "Enter an email address in the correct format"),
        ({"organisation": "999999"}, "Choose your organisation from the list"),
        ({"role": ""}, "Choose your role"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(
    client, make_event, form_data, overrides, message
):
    event = make_event()
    response = client.post(event.url, form_data(**overrides))
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html and message in html
    assert not Registration.objects.exists()


def test_the_same_email_cannot_register_twice(client, make_event, form_data):
    event = make_event()
    first = client.post(event.url, form_data())
    again = client.post(event.url, form_data(email="SAM.OFFICER@avon.police.uk", name="Other"))
    # The same answer as a first registration (tests/events/test_non_enumeration.py), and
    # nothing changes.
    assert (again.status_code, again["Location"]) == (302, first["Location"])
    assert list(Registration.objects.values_list("name", flat=True)) == ["Sam Officer"]


def test_the_database_refuses_a_duplicate_the_form_did_not_see(make_event, book):
    event = make_event()
    book(event, email="dup@avon.police.uk")
    with pytest.raises(booking.AlreadyRegistered):
        book(event, email="dup@avon.police.uk")
    assert Registration.objects.count() == 1


def test_after_cancelling_one_can_register_again(make_event, book):
    event = make_event()
    booking.cancel(book(event, email="again@avon.police.uk"))
    assert book(event, email="again@avon.police.uk").status == Status.CONFIRMED


NOW = dt.datetime(2027, 5, 1, 12, 0, tzinfo=dt.UTC)


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    "window, message",
    [
        ({"registration_opens": dt.date(2027, 5, 10)}, "has not opened yet"),
        ({"registration_closes": dt.date(2027, 4, 30)}, "has closed"),
    ],
)
def test_registration_outside_the_window_is_refused(
    client, make_event, form_data, window, message
):
    event = make_event(start=NOW + dt.timedelta(days=30), **window)
    html = client.get(event.url).content.decode()
    assert 'id="register"' not in html  # no form offered
    response = client.post(event.url, form_data())
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Registration.objects.exists()


def test_police_only_events_refuse_other_addresses(client, make_event, form_data):
    event = make_event(access=EventPage.Access.POLICE)
    response = client.post(event.url, form_data(email="someone@council.example"))
    assert response.status_code == 400
    assert "Enter your police email address" in response.content.decode()
    assert client.post(event.url, form_data(email="a@met.police.uk")).status_code == 302

    # A force's own domain, recorded on its organisation, counts too.
    Organisation.objects.filter(slug="kent-police").update(email_domains="kent.example")
    assert client.post(event.url, form_data(email="b@kent.example")).status_code == 302
    assert Registration.objects.count() == 2


def test_approval_events_hold_registrations_until_the_team_decides(make_event, book):
    event = make_event(access=EventPage.Access.APPROVAL, capacity=1)
    first, second = book(event), book(event)
    assert {first.status, second.status} == {Status.PENDING}
    assert booking.approve(first).status == Status.CONFIRMED
    assert booking.approve(second).status == Status.WAITLISTED
    third = book(event)
    assert booking.decline(third).status == Status.DECLINED


def test_a_full_event_waitlists_in_order(make_event, book):
    event = make_event(capacity=2)
    statuses = [book(event).status for _ in range(4)]
    assert statuses == [Status.CONFIRMED, Status.CONFIRMED, Status.WAITLISTED, Status.WAITLISTED]
    assert list(
        event.registrations.filter(status=Status.WAITLISTED).values_list(
            "waitlist_position", flat=True
        )
    ) == [1, 2]
    assert event.seats_left() == 0


def test_each_registrant_is_emailed_the_place_they_were_given(make_event, book):
    # A registration is written as confirmed before its seat is counted (booking._book); one
    # that finds the event full is waitlisted, and so must the email recorded with it be.
    event = make_event(title="Hearing the child", capacity=1)
    seated, waiting = book(event), book(event)
    assert (seated.status, waiting.status) == (Status.CONFIRMED, Status.WAITLISTED)
    for registration, subject in (
        (seated, "You are booked on"),
        (waiting, "You are on the waitlist for Hearing the child"),
    ):
        (message,) = OutboxMessage.objects.filter(
            task="events.tasks.send_registration_email", args__0=registration.pk
        )
        assert tasks.send_registration_email(*message.args, **message.kwargs) == 1
        assert mail.outbox[-1].to == [registration.email]
        assert subject in mail.outbox[-1].subject
    assert len(mail.outbox) == 2


def test_cancelling_offers_the_seat_to_the_first_waiting_who_can_accept(client, make_event, book):
    event = make_event(capacity=1, offer_hours=48)
    booked, first, second = book(event), book(event), book(event)

    # Cancelling through the signed link frees the seat.
    response = client.post(booked.manage_path(), {"action": "cancel"})
    assert response.status_code == 302
    booked.refresh_from_db()
    first.refresh_from_db()
    second.refresh_from_db()
    assert booked.status == Status.CANCELLED
    assert first.status == Status.OFFERED
    assert second.status == Status.WAITLISTED
    assert first.offer_expires_at == pytest.approx(
        timezone.now() + dt.timedelta(hours=48), abs=dt.timedelta(minutes=1)
    )
    # The offer email goes through the worker: tests/events/test_e2e_emails.py.
    assert "Accept my place" in client.get(first.manage_path()).content.decode()

    client.post(first.manage_path(), {"action": "accept"})
    first.refresh_from_db()
    assert first.status == Status.CONFIRMED


def test_a_lapsed_offer_passes_to_the_next_person(make_event, book):
    event = make_event(capacity=1, offer_hours=48)
    booked, first, second = book(event), book(event), book(event)
    booking.cancel(booked)
    first.refresh_from_db()
    assert first.status == Status.OFFERED

    later = timezone.now() + dt.timedelta(hours=49)
    with time_machine.travel(later):
        from events.tasks import expire_offers

        assert expire_offers() == 1
        assert expire_offers() == 0  # safe to run twice
        first.refresh_from_db()
        second.refresh_from_db()
        assert first.status == Status.EXPIRED
        assert second.status == Status.OFFERED
        # Too late to accept.
        assert booking.accept_offer(first) is False


def test_the_team_can_reorder_and_promote_the_waitlist(make_event, book):
    event = make_event(capacity=1)
    book(event)
    a, b, c = book(event), book(event), book(event)
    booking.move(c, -2)
    order = list(
        event.registrations.filter(status=Status.WAITLISTED)
        .order_by("waitlist_position")
        .values_list("pk", flat=True)
    )
    assert order == [c.pk, a.pk, b.pk]
    assert booking.promote(b).status == Status.CONFIRMED
    # Promotion by hand may go over capacity: the team decides.
    assert event.registrations.filter(status=Status.CONFIRMED).count() == 2


def test_the_signed_link_shows_joining_instructions_only_when_confirmed(client, make_event, book):
    event = make_event(capacity=1, joining_instructions="<p>https://meet.example/secret</p>")
    confirmed, waiting = book(event), book(event)
    assert "meet.example/secret" in client.get(confirmed.manage_path()).content.decode()
    html = client.get(waiting.manage_path()).content.decode()
    assert "meet.example/secret" not in html
    assert "number 1 on the waitlist" in html
    # A tampered link finds nothing.
    assert client.get(confirmed.manage_path()[:-3] + "xyz/").status_code == 404
    assert client.get("/event-registrations/123/").status_code == 404


def test_listing_shows_seats_left_and_window_without_extra_queries(
    client, make_event, event_index, book, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    full = make_event(title="Full event", capacity=1)
    book(full)
    make_event(title="Open event", capacity=30, registration_closes=timezone.localdate())
    with CaptureQueriesContext(connection) as few:
        html = client.get(event_index.url).content.decode()
    assert "Fully booked" in html
    assert "Places available (30 in all)" in html
    assert "closes" in html
    for _ in range(8):
        book(make_event(capacity=3))
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get(event_index.url).content.decode()
    assert html.count("2 of 3 left") == 8


def test_registration_is_rate_limited(client, make_event, form_data, settings):
    settings.EVENTS_REGISTRATION_RATE = "2/h"
    from django.core.cache import cache

    cache.clear()
    event = make_event()
    for n in range(2):
        assert client.post(event.url, form_data(email=f"r{n}@avon.police.uk")).status_code == 302
    assert client.post(event.url, form_data(email="r9@avon.police.uk")).status_code == 429
    assert Registration.objects.count() == 2


def test_feedback_is_gathered_once_per_attendee_after_the_event(client, make_event, book):
    event = make_event()
    registration = book(event)
    assert client.get(registration.manage_path() + "feedback/").status_code == 404
    EventPage.objects.filter(pk=event.pk).update(
        start=timezone.now() - dt.timedelta(days=2), end=timezone.now() - dt.timedelta(days=1)
    )
    url = registration.manage_path() + "feedback/"
    response = client.post(url, {"usefulness": "9"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode() or "Choose" in (
        response.content.decode()
    )
    response = client.post(url, {"usefulness": "5", "will_change": "Use the checklist"})
    assert response.status_code == 302
    assert registration.feedback.will_change == "Use the checklist"
    assert "Thank you for your feedback" in client.get(url).content.decode()
