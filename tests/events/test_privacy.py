"""Registrants' data: download and erase from the signed link, automatic anonymisation a set
time after the event (counts kept), and attendee lists only for those allowed to export."""

import csv
import datetime as dt
import io
import json

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.utils import timezone

from events import emails, privacy
from events.models import Feedback, Registration, RegistrationEmail
from events.tasks import anonymise_past_registrations
from taxonomy.models import Organisation

pytestmark = pytest.mark.django_db
Status = Registration.Status


def past_event(make_event, days_ago=2, **fields):
    return make_event(start=timezone.now() - dt.timedelta(days=days_ago), **fields)


def attended_with_feedback(event, book, **fields):
    registration = book(event, answers=[{"question": "Access needs?", "answer": "Wheelchair"}])
    Registration.objects.filter(pk=registration.pk).update(
        status=Status.CONFIRMED, attended=True, **fields
    )
    Feedback.objects.create(
        registration=registration, usefulness=5, will_change="Brief my team", comments="Great"
    )
    registration.refresh_from_db()
    return registration


def test_the_registrant_downloads_everything_held_about_them(client, make_event, book):
    event = past_event(make_event, title="Hearing the child")
    registration = attended_with_feedback(event, book, name="Sam Officer")
    RegistrationEmail.objects.create(registration=registration, kind="confirmed")

    manage = client.get(registration.manage_path()).content.decode()
    assert "Download your data (JSON)" in manage and "Erase your data now" in manage

    response = client.get(registration.manage_path() + "data.json")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["event"]["title"] == "Hearing the child"
    assert (data["name"], data["email"]) == ("Sam Officer", registration.email)
    assert data["answers"] == [{"question": "Access needs?", "answer": "Wheelchair"}]
    assert data["attended"] is True
    assert data["feedback"]["comments"] == "Great"
    assert [e["kind"] for e in data["emails"]] == ["confirmed"]
    assert data["anonymised_on"]


def test_erasing_an_upcoming_place_cancels_it_offers_it_on_and_forgets_the_person(
    client, make_event, book
):
    event = make_event(capacity=1)
    holder = book(event, email="holder@avon.police.uk", name="Holder")
    waiting = book(event, email="waiting@avon.police.uk")
    erase_url = holder.manage_path() + "erase/"

    page = client.get(erase_url).content.decode()
    assert "This also cancels your registration" in page
    response = client.post(erase_url)
    assert response.status_code == 200
    assert "Your data has been erased" in response.content.decode()

    holder.refresh_from_db()
    assert (holder.name, holder.email, holder.answers) == ("", None, [])
    assert holder.status == Status.CANCELLED and holder.anonymised_at is not None
    waiting.refresh_from_db()
    assert waiting.status == Status.OFFERED
    # The old links stop working; the same address may register again.
    assert client.get(holder.manage_path()).status_code == 404
    assert client.get(holder.manage_path() + "data.json").status_code == 404
    assert book(event, email="holder@avon.police.uk").status == Status.WAITLISTED


def test_erasing_after_the_event_keeps_attendance_and_the_usefulness_score(
    admin_client, client, make_event, book
):
    event = past_event(make_event)
    kent = Organisation.objects.get(slug="kent-police")
    erased = attended_with_feedback(event, book, name="Erased Person")
    attended_with_feedback(event, book, name="Kept Person", organisation=kent)

    client.post(erased.manage_path() + "erase/")

    erased.refresh_from_db()
    assert (erased.name, erased.email, erased.consent_to_contact) == ("", None, False)
    assert (erased.status, erased.attended) == (Status.CONFIRMED, True)
    feedback = Feedback.objects.get(registration=erased)
    assert (feedback.usefulness, feedback.will_change, feedback.comments) == (5, "", "")
    html = admin_client.get(f"/admin/events/{event.pk}/registrations/").content.decode()
    assert "Erased Person" not in html and "Kept Person" in html
    assert "Avon and Somerset Constabulary</td><td>1</td>" in html
    assert "Kent Police</td><td>1</td>" in html
    rows = list(
        csv.DictReader(
            io.StringIO(
                admin_client.get(f"/admin/events/{event.pk}/registrations.csv").content.decode()
            )
        )
    )
    assert [(r["name"], r["email"], r["attended"]) for r in rows] == [
        ("", "", "yes"),
        ("Kept Person", rows[1]["email"], "yes"),
    ]
    assert rows[1]["email"].endswith("@avon.police.uk")


def test_registrations_are_anonymised_a_set_time_after_their_event(make_event, book, settings):
    settings.EVENTS_ANONYMISE_AFTER_DAYS = 365
    old = past_event(make_event, days_ago=400)
    recent = past_event(make_event, days_ago=100)
    old_registrations = [attended_with_feedback(old, book) for _ in range(2)]
    cancelled = book(old)
    Registration.objects.filter(pk=cancelled.pk).update(status=Status.CANCELLED)
    kept = attended_with_feedback(recent, book)

    assert anonymise_past_registrations() == 3
    assert anonymise_past_registrations() == 0  # run twice: nothing more to do

    for registration in [*old_registrations, cancelled]:
        registration.refresh_from_db()
        assert (registration.name, registration.email, registration.answers) == ("", None, [])
    assert old.registrations.filter(attended=True).count() == 2
    assert set(Feedback.objects.filter(registration__event=old).values_list("comments")) == {("",)}
    kept.refresh_from_db()
    assert kept.email and kept.name and kept.feedback.comments == "Great"


def test_no_email_goes_to_an_anonymised_registration(make_event, book, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    registration = book(make_event())
    # A claim a killed worker left unsent, which the stranded-email sweep would send.
    claim = RegistrationEmail.objects.create(registration=registration, kind="reminder-2h")
    RegistrationEmail.objects.filter(pk=claim.pk).update(
        created_at=timezone.now() - dt.timedelta(hours=1)
    )
    privacy.anonymise(Registration.objects.filter(pk=registration.pk))
    registration.refresh_from_db()
    assert emails.send([(registration, "reminder-48h")]) == 0
    assert emails.resend_stranded() == 0
    assert mail.outbox == []
    assert not RegistrationEmail.objects.filter(registration=registration).exists()


@pytest.fixture
def event_with_registrant(make_event, book):
    event = make_event()
    book(event, email="someone@avon.police.uk")
    return event


def admin_user_in(django_user_model, group_name):
    user = django_user_model.objects.create_user(group_name.lower(), password="x")
    user.groups.add(Group.objects.get(name=group_name))
    return user


def test_an_editor_without_the_export_permission_is_refused_the_attendee_lists(
    client, django_user_model, event_with_registrant
):
    event = event_with_registrant
    client.force_login(admin_user_in(django_user_model, "Editors"))
    page = client.get(f"/admin/events/{event.pk}/registrations/")
    assert page.status_code == 200  # editing rights still show the event's registrations
    assert "Download CSV" not in page.content.decode()
    for path in ("registrations.csv", "attendance/"):
        response = client.get(f"/admin/events/{event.pk}/{path}")
        assert response.status_code == 403, path
        assert "someone@avon.police.uk" not in response.content.decode()
    assert (
        client.post(f"/admin/events/{event.pk}/attendance/", {"mode": "ticks"}).status_code == 403
    )


def test_the_ncpi_team_may_export_attendee_lists(client, django_user_model, event_with_registrant):
    event = event_with_registrant
    client.force_login(admin_user_in(django_user_model, "Moderators"))
    assert (
        "Download CSV" in client.get(f"/admin/events/{event.pk}/registrations/").content.decode()
    )
    response = client.get(f"/admin/events/{event.pk}/registrations.csv")
    assert response.status_code == 200
    assert "someone@avon.police.uk" in response.content.decode()
    assert client.get(f"/admin/events/{event.pk}/attendance/").status_code == 200
