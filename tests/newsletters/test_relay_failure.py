"""A mail relay that refuses everyone (a misconfiguration) pauses the mailing instead of
suppressing the whole list; a single recipient's refusal among successes is still a hard
bounce. A real aiosmtpd server, a real Celery worker, PostgreSQL."""

import pytest

from newsletters import tasks
from newsletters.models import Delivery, NewsletterIssue, Subscriber
from tests.e2e.conftest import celery_worker  # noqa: F401 - fixture
from tests.smtp import RefusingRelayHandler, running_sink
from tests.workers import wait_until_idle

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

TEAM = "ncpi-team@practice-exchange.example"


@pytest.fixture
def sending(settings):
    settings.NCPI_TEAM_EMAIL = TEAM
    settings.NEWSLETTERS_RATE_PER_SECOND = 0


def relay(settings, stage, code, text):
    """A relay refusing everyone at `stage`, but letting the team's alert through (so the test
    can see it; a real broken relay may hold it back too, and the alert task retries)."""
    return running_sink(settings, RefusingRelayHandler(stage, code, text, allow={TEAM}))


def make_issue(make_subscriber, count):
    emails = {f"reader{n:02d}@force{n % 7}.police.example" for n in range(count)}
    for email in sorted(emails):
        make_subscriber(email=email)
    issue = NewsletterIssue.objects.create(title="Spring newsletter", body=[("text", "<p>Hi</p>")])
    return issue, emails


def assert_untouched(count):
    """Nobody suppressed, every row still pending, unclaimed, with no attempt counted."""
    assert not Subscriber.objects.filter(status=Subscriber.Status.SUPPRESSED).exists()
    rows = Delivery.objects.all()
    assert rows.count() == count
    assert set(rows.values_list("status", "claim", "claimed_at", "attempts", "error")) == {
        ("pending", None, None, 0, "")
    }


def test_a_relay_refusing_every_recipient_pauses_the_mailing_until_the_team_resumes_it(
    celery_worker,  # noqa: F811
    sending,
    settings,
    make_subscriber,
    admin_client,
    postgres,
):
    issue, emails = make_issue(make_subscriber, 30)
    with relay(settings, "rcpt", 550, "5.7.1 <x@y.example>: Relay access denied") as sink:
        tasks.start_sending(issue.pk)
        wait_until_idle()

        mailing = issue.mailings.get()
        assert mailing.paused_at is not None
        assert "refused 10 recipients in a row" in mailing.paused_reason
        assert "<address>" in mailing.paused_reason and "x@y.example" not in (
            mailing.paused_reason
        )
        assert_untouched(30)
        # The team is told once, with the page to resume from.
        assert sink.per_recipient() == {TEAM: 1}
        alert = sink.messages[0][1]
        assert alert["Subject"] == "Sending paused: Spring newsletter"
        send_page = f"/admin/newsletters/issues/{issue.pk}/send/"
        assert f"http://testserver{send_page}" in alert.get_content()

        page = admin_client.get(send_page).content.decode()
        assert "Paused." in page and "Resume sending" in page
        listing = admin_client.get("/admin/snippets/newsletters/newsletterissue/").content
        assert b"Paused: 0 sent, 30 pending" in listing
        # Beat's sweep for stranded work leaves a paused mailing alone.
        tasks.requeue_stranded.delay()
        wait_until_idle()
        assert sink.per_recipient() == {TEAM: 1}

        sink.handler.working = True  # the relay is mended
        assert admin_client.post(send_page, {"action": "resume"}).status_code == 302
        wait_until_idle()
        counts = sink.per_recipient()
        assert counts == {TEAM: 1, **dict.fromkeys(emails, 1)}
        assert NewsletterIssue.objects.get(pk=issue.pk).status == "sent"


def test_a_relay_refusing_the_message_at_data_pauses_at_once(
    celery_worker,  # noqa: F811
    sending,
    settings,
    make_subscriber,
    postgres,
):
    issue, _ = make_issue(make_subscriber, 12)
    with relay(settings, "data", 554, "5.7.1 Message rejected as spam") as sink:
        tasks.start_sending(issue.pk)
        wait_until_idle()
        mailing = issue.mailings.get()
        assert mailing.paused_at is not None
        assert "refused the message itself" in mailing.paused_reason
        assert_untouched(12)
        assert sink.per_recipient() == {TEAM: 1}


def test_a_single_recipient_refused_among_successes_is_still_suppressed(
    celery_worker,  # noqa: F811
    sending,
    sink,
    make_subscriber,
    postgres,
):
    issue, emails = make_issue(make_subscriber, 12)
    gone = sorted(emails)[4]
    sink.handler.refuse = {gone: (550, "5.1.1 No such user")}
    tasks.start_sending(issue.pk)
    wait_until_idle()

    assert sink.per_recipient() == dict.fromkeys(emails - {gone}, 1)
    assert Subscriber.objects.get(email=gone).status == Subscriber.Status.SUPPRESSED
    assert Delivery.objects.get(subscriber__email=gone).status == "failed"
    mailing = issue.mailings.get()
    assert mailing.paused_at is None
    assert NewsletterIssue.objects.get(pk=issue.pk).status == "sent"


def test_refusals_with_nothing_accepted_after_them_are_never_suppressed_on_suspicion(
    celery_worker,  # noqa: F811
    sending,
    sink,
    make_subscriber,
    postgres,
):
    """The last rows refused, with no later success to show the relay still works: they may be
    the start of a relay failure, so they are retried, and in the end marked failed, but the
    addresses are not suppressed."""
    issue, emails = make_issue(make_subscriber, 12)
    last_two = sorted(emails)[-2:]
    sink.handler.refuse = dict.fromkeys(last_two, (550, "5.1.1 No such user"))
    tasks.start_sending(issue.pk)
    wait_until_idle()

    assert sink.per_recipient() == dict.fromkeys(emails - set(last_two), 1)
    assert not Subscriber.objects.filter(status=Subscriber.Status.SUPPRESSED).exists()
    assert set(
        Delivery.objects.filter(subscriber__email__in=last_two).values_list("status", "attempts")
    ) == {("failed", 5)}
    assert NewsletterIssue.objects.get(pk=issue.pk).status == "sent"


@pytest.mark.django_db
def test_paused_alerts_and_digests_are_listed_in_the_admin_to_resume(admin_client):
    """Alerts and digests have no send page of their own: the team's alert links here."""
    from django.utils import timezone

    from newsletters.models import Mailing

    paused = Mailing.objects.create(
        kind=Mailing.Kind.DIGEST,
        key="digest:weekly:2027-W01",
        subject="Weekly digest",
        prepared_at=timezone.now(),
        paused_at=timezone.now(),
        paused_reason="The mail server refused the message itself (last reply: 554 Spam)",
    )
    page = admin_client.get("/admin/newsletters/mailings/paused/").content.decode()
    assert "Weekly digest" in page and "554 Spam" in page
    for bad in ("", "nonsense", str(paused.pk + 1)):
        response = admin_client.post("/admin/newsletters/mailings/paused/", {"mailing": bad})
        assert response.status_code == 302
    assert Mailing.objects.get(pk=paused.pk).paused_at is not None
    admin_client.post("/admin/newsletters/mailings/paused/", {"mailing": paused.pk})
    assert Mailing.objects.get(pk=paused.pk).paused_at is None
    assert (
        "Nothing is paused"
        in admin_client.get("/admin/newsletters/mailings/paused/").content.decode()
    )
