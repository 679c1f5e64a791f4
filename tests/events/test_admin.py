"""The NCPI team's per-event pages: registrations, counts, CSV, waitlist actions, attendance
(ticks and CSV upload, all or nothing) and emails to status groups."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from events.models import EventMessage, Registration
from taxonomy.models import JobRole, Organisation

pytestmark = pytest.mark.django_db
Status = Registration.Status


@pytest.fixture
def event_with_people(make_event, book):
    event = make_event(capacity=2)
    kent = Organisation.objects.get(slug="kent-police")
    leaders = JobRole.objects.get(slug="senior-leader")
    a = book(event, email="a@avon.police.uk", answers=[{"question": "Diet?", "answer": "Vegan"}])
    b = book(event, email="b@kent.police.uk", organisation=kent, role=leaders)
    c = book(event, email="c@kent.police.uk", organisation=kent, name="=HYPERLINK(1)")
    return event, a, b, c


def test_registrations_page_lists_status_answers_and_counts(admin_client, event_with_people):
    event, a, b, c = event_with_people
    html = admin_client.get(f"/admin/events/{event.pk}/registrations/").content.decode()
    assert "Vegan" in html
    assert "On the waitlist" in html
    assert "Kent Police</td><td>2</td>" in html
    assert "Senior leader (chief inspector and above, or equivalent)</td><td>1</td>" in html
    waitlisted = admin_client.get(
        f"/admin/events/{event.pk}/registrations/?status=waitlisted"
    ).content.decode()
    assert "c@kent.police.uk" in waitlisted and "a@avon.police.uk" not in waitlisted


def test_the_event_edit_page_links_to_its_registrations(admin_client, event_with_people):
    event = event_with_people[0]
    html = admin_client.get(f"/admin/pages/{event.pk}/edit/").content.decode()
    assert f"/admin/events/{event.pk}/registrations/" in html


def test_only_editors_see_registrations(client, django_user_model, event_with_people):
    event = event_with_people[0]
    assert client.get(f"/admin/events/{event.pk}/registrations/").status_code == 302
    user = django_user_model.objects.create_user("reader", password="x")
    from django.contrib.auth.models import Permission

    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(user)
    # Wagtail answers a permission refusal by sending the user back to the dashboard.
    for path in ("registrations/", "registrations.csv"):
        response = client.get(f"/admin/events/{event.pk}/{path}")
        assert (response.status_code, response["Location"]) == (302, "/admin/")


def test_csv_export_has_answers_and_neutralises_formulas(admin_client, event_with_people):
    event = event_with_people[0]
    response = admin_client.get(f"/admin/events/{event.pk}/registrations.csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    emails = [r["email"] for r in rows]
    assert emails == ["a@avon.police.uk", "b@kent.police.uk", "c@kent.police.uk"]
    assert rows[0]["Diet?"] == "Vegan"
    assert rows[2]["status"] == "On the waitlist"
    assert rows[2]["name"] == "'=HYPERLINK(1)"


def test_waitlist_promote_by_hand(admin_client, event_with_people):
    event, a, b, c = event_with_people
    response = admin_client.post(
        f"/admin/events/{event.pk}/registrations/{c.pk}/", {"action": "promote"}
    )
    assert response.status_code == 302
    c.refresh_from_db()
    assert c.status == Status.CONFIRMED


def test_attendance_ticks_and_csv_upload_all_or_nothing(admin_client, event_with_people):
    event, a, b, c = event_with_people
    url = f"/admin/events/{event.pk}/attendance/"
    admin_client.post(url, {"mode": "ticks", "attended": [str(a.pk)]})
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.attended, b.attended) == (True, False)

    bad = (
        "email,attended\n"
        "b@kent.police.uk,yes\n"
        "c@kent.police.uk,yes\n"  # waitlisted, not confirmed
        "a@avon.police.uk,maybe\n"
    )
    response = admin_client.post(
        url,
        {"mode": "upload", "file": SimpleUploadedFile("a.csv", bad.encode(), "text/csv")},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Line 3: &#x27;c@kent.police.uk&#x27; has no confirmed registration" in html
    assert "Line 4: attended must be" in html
    b.refresh_from_db()
    assert b.attended is False  # nothing changed

    good = "Email,Attended\nB@kent.police.uk,yes\na@avon.police.uk,no\n"
    response = admin_client.post(
        url,
        {"mode": "upload", "file": SimpleUploadedFile("a.csv", good.encode(), "text/csv")},
    )
    assert response.status_code == 302
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.attended, b.attended) == (False, True)

    headerless = "someone,yes\n"
    response = admin_client.post(
        url,
        {"mode": "upload", "file": SimpleUploadedFile("a.csv", headerless.encode(), "text/csv")},
    )
    assert "Line 1: the header must have" in response.content.decode()


def test_email_a_status_group(admin_client, event_with_people, django_capture_on_commit_callbacks):
    event, a, b, c = event_with_people
    url = f"/admin/events/{event.pk}/email/"
    response = admin_client.post(url, {"subject": "", "body": "Hi", "statuses": ["waitlisted"]})
    assert response.status_code == 400
    assert "Enter a subject" in response.content.decode()
    assert not EventMessage.objects.exists()

    with django_capture_on_commit_callbacks():
        response = admin_client.post(
            url, {"subject": "Bigger room", "body": "Good news", "statuses": ["waitlisted"]}
        )
    assert response.status_code == 302
    message = EventMessage.objects.get()
    from django.core import mail

    from events.tasks import send_event_message

    assert send_event_message(message.pk) == 1
    assert send_event_message(message.pk) == 0
    (email,) = mail.outbox
    assert email.to == ["c@kent.police.uk"] and email.subject == "Bigger room"
    assert "Good news" in email.body
