"""Every event email says "See, change or cancel your registration": the signed-link page lets
the registrant change the answers they gave, with the registration form's own checks."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from events import tasks
from events.models import EventQuestion, Registration
from taxonomy.models import JobRole, Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def event_with_questions(make_event):
    event = make_event(title="Hearing the child")
    access = EventQuestion.objects.create(page=event, label="Do you have any access needs?")
    lunch = EventQuestion.objects.create(
        page=event,
        label="Will you stay for lunch?",
        kind=EventQuestion.Kind.YES_NO,
        required=True,
    )
    return event, access, lunch


@pytest.fixture
def registered(event_with_questions, book):
    event, access, lunch = event_with_questions
    registration = book(
        event,
        email="sam@avon.police.uk",
        answers=[
            {"question": access.label, "answer": "A hearing loop"},
            {"question": lunch.label, "answer": "yes"},
        ],
    )
    return registration, access, lunch


def change_data(access, lunch, **overrides):
    values = {
        "action": "change",
        "name": "Sam Officer",
        "organisation": Organisation.objects.get(slug="west-midlands-police").pk,
        "role": JobRole.objects.get(slug="senior-leader").pk,
        f"question_{access.pk}": "Step-free access",
        f"question_{lunch.pk}": "no",
    }
    values.update(overrides)
    return values


def test_the_emailed_link_leads_to_a_page_where_answers_can_be_changed(client, registered):
    registration, access, lunch = registered
    tasks.send_registration_email(registration.pk, "confirmed")
    assert "change" in mail.outbox[0].body and registration.manage_url() in mail.outbox[0].body
    page = client.get(registration.manage_path()).content.decode()
    assert "Save my answers" in page
    assert "A hearing loop" in page  # the answers given, ready to change

    response = client.post(registration.manage_path(), change_data(access, lunch), follow=True)
    assert "Your answers are saved" in response.content.decode()
    registration.refresh_from_db()
    assert registration.name == "Sam Officer"
    assert registration.organisation.slug == "west-midlands-police"
    assert registration.role.slug == "senior-leader"
    assert registration.answers == [
        {"question": access.label, "answer": "Step-free access"},
        {"question": lunch.label, "answer": "no"},
    ]
    # The place is untouched, and the address (the link's owner) cannot be changed here.
    assert registration.status == Registration.Status.CONFIRMED
    assert registration.email == "sam@avon.police.uk"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "Enter your full name"),
        ("organisation", "999999", "Choose your organisation from the list"),
        ("role", "", "Choose your role"),
        ("lunch", "", "Answer the question: Will you stay for lunch?"),
        ("lunch", "maybe", "Choose an answer to: Will you stay for lunch?"),
        ("access", "x" * 1001, "Your answer must be 1,000 characters or fewer"),
    ],
)
def test_changes_get_the_registration_forms_checks(client, registered, field, value, message):
    registration, access, lunch = registered
    name = {"lunch": f"question_{lunch.pk}", "access": f"question_{access.pk}"}.get(field, field)
    response = client.post(registration.manage_path(), change_data(access, lunch, **{name: value}))
    assert response.status_code == 400
    assert message in response.content.decode()
    registration.refresh_from_db()
    assert registration.organisation.slug == "avon-and-somerset-constabulary"
    assert registration.answers[0]["answer"] == "A hearing loop"


def test_an_email_address_in_the_post_is_ignored(client, registered):
    registration, access, lunch = registered
    client.post(
        registration.manage_path(), change_data(access, lunch, email="someone@else.example")
    )
    registration.refresh_from_db()
    assert registration.email == "sam@avon.police.uk"


def test_answers_cannot_change_once_the_event_has_started_or_the_place_is_cancelled(
    client, registered
):
    registration, access, lunch = registered
    event = registration.event
    event.start = timezone.now() - dt.timedelta(hours=1)
    event.end = timezone.now() + dt.timedelta(hours=1)
    event.save_revision().publish()
    assert "Save my answers" not in client.get(registration.manage_path()).content.decode()
    response = client.post(registration.manage_path(), change_data(access, lunch), follow=True)
    assert "can no longer be changed" in response.content.decode()
    registration.refresh_from_db()
    assert registration.answers[0]["answer"] == "A hearing loop"
