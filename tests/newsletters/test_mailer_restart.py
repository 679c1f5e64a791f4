"""Recovery in seconds: a mailer killed mid-mailing and started again resumes sending at once,
not after the claim lease (300 s) or the broker's visibility timeout (an hour); and a chunk
that meets a database or Redis error releases its rows and tries again shortly."""

import pytest
from django.db import OperationalError
from django.utils import timezone

from newsletters import claims, recovery, sending, tasks
from newsletters.models import Delivery, Mailing, NewsletterIssue
from tests.workers import STABLE_POLLS, wait_for


def broker_counts():
    """(messages queued, messages delivered but unacknowledged) in this run's broker."""
    from portal.celery import app

    with app.connection_for_write() as connection:
        client = connection.default_channel.client
        queued = sum(client.llen(key) for key in client.keys() if client.type(key) == b"list")
        return queued, client.hlen("unacked")


def steadily(condition, polls=STABLE_POLLS):
    """`condition`, true only once it has held on `polls` polls in a row."""
    streak = {"n": 0}

    def held():
        streak["n"] = streak["n"] + 1 if condition() else 0
        return streak["n"] >= polls

    return held


def make_issue(make_subscriber, count):
    subscribers = [
        make_subscriber(email=f"reader{n:03d}@force.police.example") for n in range(count)
    ]
    issue = NewsletterIssue.objects.create(
        title="Spring newsletter", body=[("text", "<p>New practice on missing children.</p>")]
    )
    return issue, {subscriber.email for subscriber in subscribers}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_killed_mailer_started_again_resumes_at_once_losing_nobody(
    start_worker, sink, make_subscriber, settings
):
    # The lease stays at its production length: waiting it out would fail this test's timeout.
    assert settings.NEWSLETTERS_CLAIM_LEASE_SECONDS >= 300
    issue, emails = make_issue(make_subscriber, 40)
    mailer = start_worker(name="mailer", NEWSLETTERS_SEND_DELAY=0.05)
    tasks.start_sending(issue.pk)

    assert wait_for(lambda: len(sink.messages) >= 8), "the mailer never sent"
    mailer.kill()
    # The chunk task it was running stays unacknowledged in the broker until the visibility
    # timeout (an hour), when it is redelivered and finds nothing left to do: sending must
    # not wait for it.
    unacked_at_kill = broker_counts()[1]
    assert len(sink.messages) < len(emails), "the kill did not land mid-send"
    assert Delivery.objects.filter(status="pending", claimed_at__isnull=False).exists()
    # One pool slot (solo): one chunk was sending, so at most one message was in flight.
    interrupted_sends = 1

    start_worker(name="mailer")
    assert wait_for(lambda: not Delivery.objects.filter(status="pending").exists(), timeout=120), (
        "sending did not resume after the restart"
    )
    assert wait_for(lambda: NewsletterIssue.objects.get(pk=issue.pk).status == "sent")
    # Nothing left to run but the dead worker's unacknowledged task: anything sent twice
    # would have arrived by now.
    assert wait_for(steadily(lambda: broker_counts() == (0, unacked_at_kill)), timeout=60)

    counts = sink.per_recipient()
    assert set(counts) == emails, "a recipient was skipped (or a stranger was mailed)"
    assert sum(n - 1 for n in counts.values()) <= interrupted_sends
    assert Delivery.objects.filter(status="sent").count() == len(emails)


@pytest.mark.django_db
def test_a_chunk_that_loses_the_database_releases_its_rows_and_retries_soon(
    make_subscriber, monkeypatch
):
    issue, _ = make_issue(make_subscriber, 3)
    mailing = Mailing.objects.create(
        key=f"issue:{issue.pk}",
        kind="issue",
        issue=issue,
        subject=issue.title,
        prepared_at=timezone.now(),
    )
    for subscriber_id in issue_subscribers():
        Delivery.objects.create(mailing=mailing, subscriber_id=subscriber_id)

    def connection_dropped(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(sending, "send_claimed", connection_dropped)
    retried = {}

    def record_retry(*, exc, countdown, args, kwargs):
        retried.update(countdown=countdown, args=args, kwargs=kwargs)
        return RuntimeError("retry")

    monkeypatch.setattr(tasks.send_chunk, "retry", record_retry)
    with pytest.raises(RuntimeError, match="retry"):
        tasks.send_chunk.run(mailing.pk)

    # Nothing held: the next try (or another lane) can take every row at once.
    assert claims.claimable(mailing.pk).count() == 3
    assert not Delivery.objects.filter(claim__isnull=False).exists()
    assert retried["countdown"] <= recovery.BACKOFF_MAX
    assert retried["kwargs"] == {"mailing_id": mailing.pk}


def issue_subscribers():
    from newsletters.models import Subscriber

    return Subscriber.objects.values_list("pk", flat=True)


@pytest.mark.django_db
def test_a_restarted_mailer_releases_only_what_its_previous_run_held(make_subscriber):
    issue, _ = make_issue(make_subscriber, 3)
    mailing = Mailing.objects.create(
        key=f"issue:{issue.pk}",
        kind="issue",
        issue=issue,
        subject=issue.title,
        prepared_at=timezone.now(),
    )
    for subscriber_id in issue_subscribers():
        Delivery.objects.create(mailing=mailing, subscriber_id=subscriber_id)
    claims.claim(mailing.pk, limit=1, worker="mailer@host")
    claims.claim(mailing.pk, limit=1, worker="other@host")
    started = timezone.now()
    claims.claim(mailing.pk, limit=1, worker="mailer@host")  # its new run, already at work

    assert recovery.release_abandoned("mailer@host", started) == {mailing.pk}
    held = Delivery.objects.filter(claim__isnull=False)
    assert sorted(held.values_list("claimed_by", flat=True)) == ["mailer@host", "other@host"]


def test_sending_keeps_to_a_share_of_the_rate_when_the_cache_is_unreachable(settings, monkeypatch):
    from newsletters import throttle

    settings.NEWSLETTERS_RATE_PER_SECOND = 1000
    settings.NEWSLETTERS_RATE_BURST = 80
    settings.NEWSLETTERS_SEND_LANES = 8
    # Nothing listens on port 1: the shared bucket is out of reach.
    settings.CACHES = {
        alias: {**config, "LOCATION": "redis://127.0.0.1:1/0"}
        for alias, config in settings.CACHES.items()
    }
    monkeypatch.setattr(throttle, "_script", None)
    monkeypatch.setattr(throttle, "_local", throttle._LocalBucket())
    slept = []
    monkeypatch.setattr(throttle.time, "sleep", slept.append)

    for _ in range(20):
        throttle.take(1)  # never raises: sending goes on
    # A lane's share is 1000 / 8 = 125 a second with a burst of 10: the first ten go at once,
    # then each waits its turn (here no time passes while "sleeping", so the waits add up).
    assert slept[:10] == [0.0] * 10
    assert slept[-1] == pytest.approx(10 / 125, rel=0.05)
