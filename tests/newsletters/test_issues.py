"""Newsletter issues in the admin: segment, test-send, send now, schedule, progress; the public
archive; and suppression by email providers' webhooks."""

import base64
import datetime as dt
import json

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.utils import timezone

from newsletters import throttle
from newsletters.mailings import issue_recipients
from newsletters.models import Delivery, NewsletterIssue, Subscriber
from newsletters.tasks import send_scheduled_issues

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery", "clean_cache")]


@pytest.fixture
def admin_client(client, db):
    user = get_user_model().objects.create_superuser(
        "editor", "editor@ncpi.example", "password-for-tests"
    )
    client.force_login(user)
    return client


@pytest.fixture
def issue(make_practice):
    page = make_practice(title="Link officers for children's homes")
    return NewsletterIssue.objects.create(
        title="March newsletter",
        summary="Missing children and joint visits.",
        body=[
            ("text", '<p>Read about <a href="/practice/">new practice</a>.</p>'),
            ("featured", {"heading": "New practice", "pages": [page]}),
        ],
    )


def send_page(issue):
    return f"/admin/newsletters/issues/{issue.pk}/send/"


def test_segments_choose_recipients(issue, make_subscriber, criterion, other_criterion):
    force = make_subscriber(topics=[criterion])
    partner = make_subscriber(topics=[other_criterion], organisation_type="partner")
    make_subscriber(topics=[criterion], status="unsubscribed")
    assert set(issue_recipients(issue)) == {force, partner}
    issue.organisation_type = "partner"
    assert set(issue_recipients(issue)) == {partner}
    issue.organisation_type = ""
    issue.segment_criteria.set([criterion])
    assert set(issue_recipients(issue)) == {force}


def test_test_send_goes_to_the_editor_only(
    admin_client, issue, sink, make_subscriber, django_capture_on_commit_callbacks
):
    make_subscriber()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            send_page(issue), {"action": "test", "email": "editor@ncpi.example"}
        )
    assert response.status_code == 302
    assert sink.per_recipient() == {"editor@ncpi.example": 1}
    message = sink.messages[0][1]
    assert message["Subject"] == "[Test] March newsletter"
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "Link officers for children&#x27;s homes" in html or "Link officers" in html
    assert 'href="http://testserver/practice/"' in html  # rich-text links made absolute
    assert not Delivery.objects.exists()
    bad = admin_client.post(send_page(issue), {"action": "test", "email": "nope"})
    assert bad.status_code == 400


def test_send_now_sends_once_and_shows_progress(
    admin_client, issue, sink, make_subscriber, django_capture_on_commit_callbacks
):
    readers = [make_subscriber() for _ in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(send_page(issue), {"action": "send"})
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(send_page(issue), {"action": "send"})  # a double click
    assert sink.per_recipient() == {reader.email: 1 for reader in readers}
    issue.refresh_from_db()
    assert issue.status == "sent" and issue.sent_at

    page = admin_client.get(send_page(issue)).content.decode()
    assert '<td id="count-sent">3</td>' in page
    assert '<td id="count-pending">0</td>' in page

    listing = admin_client.get("/admin/snippets/newsletters/newsletterissue/")
    assert "3 sent, 0 pending, 0 failed" in listing.content.decode()


def test_the_issue_listing_counts_progress_without_a_query_per_row(
    admin_client, make_subscriber, django_assert_max_num_queries
):
    for n in range(8):
        NewsletterIssue.objects.create(title=f"Issue {n}", body=[], status="sent")
    with django_assert_max_num_queries(40):
        response = admin_client.get("/admin/snippets/newsletters/newsletterissue/")
    assert response.status_code == 200
    assert response.content.decode().count("0 sent, 0 pending, 0 failed") == 8


def test_scheduled_issues_go_when_their_time_comes(
    admin_client, issue, sink, make_subscriber, django_capture_on_commit_callbacks
):
    reader = make_subscriber()
    past = admin_client.post(
        send_page(issue), {"action": "schedule", "scheduled_at": "2000-01-01 09:00"}
    )
    assert past.status_code == 400
    when = timezone.localtime() + dt.timedelta(days=1)
    admin_client.post(
        send_page(issue), {"action": "schedule", "scheduled_at": when.strftime("%Y-%m-%d %H:%M")}
    )
    issue.refresh_from_db()
    assert issue.status == "scheduled"
    with django_capture_on_commit_callbacks(execute=True):
        send_scheduled_issues()
    assert sink.per_recipient() == {}
    with time_machine.travel(when + dt.timedelta(minutes=1)):
        with django_capture_on_commit_callbacks(execute=True):
            send_scheduled_issues()
    assert sink.per_recipient() == {reader.email: 1}


def test_preview_renders_the_email(issue):
    response = issue.make_preview_request()
    assert response.status_code == 200
    content = response.content.decode()
    assert "March newsletter" in content
    assert "Link officers for children" in content


def test_only_sent_issues_are_in_the_public_archive(client, issue):
    NewsletterIssue.objects.create(title="Draft issue", body=[])
    NewsletterIssue.objects.filter(pk=issue.pk).update(status="sent", sent_at=timezone.now())
    archive = client.get("/newsletters/").content.decode()
    assert "March newsletter" in archive and "Draft issue" not in archive
    page = client.get(f"/newsletters/issues/{issue.pk}/")
    assert page.status_code == 200
    assert b"Link officers for children" in page.content
    draft = NewsletterIssue.objects.get(title="Draft issue")
    assert client.get(f"/newsletters/issues/{draft.pk}/").status_code == 404


def test_hard_bounces_and_complaints_from_the_provider_suppress_at_once(
    client, settings, make_subscriber
):
    settings.ANYMAIL = {"WEBHOOK_SECRET": "hook:secret"}
    bounced = make_subscriber(email="bounced@force.police.example")
    soft = make_subscriber(email="soft@force.police.example")
    auth = "Basic " + base64.b64encode(b"hook:secret").decode()

    def post(payload):
        return client.post(
            "/anymail/postmark/tracking/",
            json.dumps(payload),
            content_type="application/json",
            HTTP_AUTHORIZATION=auth,
        )

    assert (
        post(
            {
                "RecordType": "Bounce",
                "Type": "HardBounce",
                "Email": bounced.email,
                "MessageID": "a",
                "BouncedAt": "2026-01-01T00:00:00Z",
            }
        ).status_code
        == 200
    )
    assert (
        post(
            {
                "RecordType": "Bounce",
                "Type": "SoftBounce",
                "Email": soft.email,
                "MessageID": "b",
                "BouncedAt": "2026-01-01T00:00:00Z",
            }
        ).status_code
        == 200
    )
    assert Subscriber.objects.get(pk=bounced.pk).status == "suppressed"
    assert Subscriber.objects.get(pk=soft.pk).status == "active"


def test_the_global_rate_limit_holds_sending_under_the_rate(settings, redis_available):
    settings.NEWSLETTERS_RATE_PER_SECOND = 20
    settings.NEWSLETTERS_RATE_BURST = 1
    started = timezone.now()
    for _ in range(11):
        throttle.take()
    elapsed = (timezone.now() - started).total_seconds()
    assert elapsed >= 0.45  # 10 tokens beyond the burst at 20 per second


def test_tokens_are_taken_in_batches_only_as_fast_as_the_rate_allows(settings, redis_available):
    settings.NEWSLETTERS_RATE_PER_SECOND = 20
    settings.NEWSLETTERS_RATE_BURST = 5
    # A slow rate takes tokens one at a time, as they trickle in.
    assert throttle.batch_size(100) == 1
    settings.NEWSLETTERS_RATE_PER_SECOND = 2000
    assert throttle.batch_size(100) == 5  # never more than the burst
    assert throttle.batch_size(3) == 3  # nor more than is left to send
    settings.NEWSLETTERS_RATE_BURST = 1000
    assert throttle.batch_size(1000) == throttle.MAX_BATCH

    settings.NEWSLETTERS_RATE_PER_SECOND = 40
    settings.NEWSLETTERS_RATE_BURST = 5
    started = timezone.now()
    for _ in range(5):
        throttle.take(5)
    elapsed = (timezone.now() - started).total_seconds()
    assert elapsed >= 0.45  # 20 tokens beyond the burst at 40 per second


def test_a_chunk_sends_no_faster_than_the_global_rate(
    settings, redis_available, issue, make_subscriber, sink
):
    from newsletters import claims, sending, tasks
    from newsletters.models import Mailing

    settings.NEWSLETTERS_RATE_PER_SECOND = 40
    settings.NEWSLETTERS_RATE_BURST = 5
    for _ in range(25):
        make_subscriber()
    tasks.prepare_issue.apply(args=[issue.pk])  # the lanes would start on commit
    mailing = Mailing.objects.get(issue=issue)
    claim_id, rows = claims.claim(mailing.pk)
    started = timezone.now()
    assert sending.send_claimed(mailing, claim_id, rows) == 25
    elapsed = (timezone.now() - started).total_seconds()
    assert len(sink.messages) == 25
    assert elapsed >= 0.45  # 20 messages beyond the burst at 40 per second


def test_send_now_says_it_is_being_sent_once(
    admin_client, issue, sink, make_subscriber, django_capture_on_commit_callbacks
):
    make_subscriber()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(send_page(issue), {"action": "send"}, follow=True)
    html = response.content.decode()
    assert html.count("is being sent") == 1
    # The page's own refresh (while it sends) does not repeat it.
    assert "is being sent" not in admin_client.get(send_page(issue)).content.decode()


def test_a_second_send_now_racing_the_first_says_it_was_already_sent(
    admin_client, issue, monkeypatch, django_capture_on_commit_callbacks
):
    """Two clicks whose requests both saw a draft: only the one that started it says so."""
    from newsletters import tasks

    real = tasks.start_sending

    def other_request_got_there_first(issue_id):
        real(issue_id)
        return real(issue_id)

    monkeypatch.setattr(tasks, "start_sending", other_request_got_there_first)
    with django_capture_on_commit_callbacks(execute=False):
        response = admin_client.post(send_page(issue), {"action": "send"}, follow=True)
    html = response.content.decode()
    assert "was already being sent" in html
    assert "is being sent" not in html
