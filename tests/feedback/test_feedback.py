"""The feedback page the phase banner links to, as a visitor and the NCPI team see it."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.utils import timezone

from feedback.models import FeedbackMessage
from feedback.tasks import delete_old_feedback, relay_feedback

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clear_rate_limits():
    cache.clear()


def test_every_page_links_to_feedback_saying_where_from(client, home_page):
    html = client.get("/privacy/").content.decode()
    assert 'href="/feedback/?from=/privacy/">feedback</a> will help us improve it' in html
    form = client.get("/feedback/", {"from": "/privacy/"}).content.decode()
    assert 'name="page" value="/privacy/"' in form


def test_feedback_is_stored_then_emailed_to_the_ncpi_team(
    client, settings, mailoutbox, django_capture_on_commit_callbacks
):
    data = {
        "message": "The filters are great.\nPlease add a print button.",
        "name": "Sam Officer",
        "email": "sam@force.police.example",
        "page": "/practice/",
    }
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post("/feedback/", data)
    assert response.status_code == 302 and response["Location"] == "/feedback/sent/"
    assert "Feedback sent" in client.get(response["Location"]).content.decode()
    assert len(queued) == 1  # the relay is queued once the feedback is stored
    feedback = FeedbackMessage.objects.get()
    relay_feedback(feedback.pk)  # as the worker would
    feedback.refresh_from_db()
    assert feedback.sent_at is not None
    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == [settings.NCPI_TEAM_EMAIL]
    assert email.reply_to == ["sam@force.police.example"]
    assert "Please add a print button." in email.body
    assert settings.PUBLIC_BASE_URL + "/practice/" in email.body
    # Run again (a redelivered task): not sent twice.
    relay_feedback(feedback.pk)
    assert len(mailoutbox) == 1


def test_anonymous_feedback_is_fine_and_a_foreign_from_is_dropped(client, mailoutbox):
    data = {"message": "Hard to find events.", "page": "https://evil.example/"}
    assert client.post("/feedback/", data).status_code == 302
    feedback = FeedbackMessage.objects.get()
    assert feedback.page == "" and feedback.email == ""


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"message": ""}, "Enter your feedback"),
        ({"message": "x" * 5001}, "Your feedback must be 5,000 characters or fewer"),
        ({"message": "Hi", "email": "nope"}, "Enter an email address in the correct format"),
        ({"message": "Hi", "name": "Sam\nBcc: x@evil.example"}, "must be on one line"),
        ({"message": "Hi\u0000"}, "must not contain control characters"),
    ],
)
def test_bad_feedback_is_explained_and_nothing_is_kept(client, data, message):
    response = client.post("/feedback/", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html and message in html
    assert not FeedbackMessage.objects.exists()


def test_feedback_is_rate_limited(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        statuses = [
            client.post("/feedback/", {"message": f"Note {n}"}).status_code for n in range(6)
        ]
    assert statuses == [302] * 5 + [429]
    assert FeedbackMessage.objects.count() == 5


def test_feedback_is_deleted_after_the_set_time_like_contact_messages(settings):
    settings.FEEDBACK_MESSAGES_KEEP_DAYS = 30
    now = timezone.now()

    def feedback(sent_days_ago, written_days_ago):
        pk = FeedbackMessage.objects.create(message="Hello").pk
        FeedbackMessage.objects.filter(pk=pk).update(
            created_at=now - dt.timedelta(days=written_days_ago),
            sent_at=None if sent_days_ago is None else now - dt.timedelta(days=sent_days_ago),
        )
        return pk

    feedback(31, 31)
    feedback(None, 40)
    recent = feedback(2, 40)
    waiting = feedback(None, 0)
    assert delete_old_feedback() == 2
    assert set(FeedbackMessage.objects.values_list("pk", flat=True)) == {recent, waiting}
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "feedback.tasks.delete_old_feedback" in tasks
