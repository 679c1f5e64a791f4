"""Exactly once, proved with real worker processes, real Redis and a real SMTP sink.

Send-then-mark means a worker killed between the server accepting a message and the row being
marked sent leaves that one row pending, and it goes again: at most the single in-flight
message per killed worker can repeat (see newsletters/sending.py). The kill here lands in the
pause before a message (NEWSLETTERS_SEND_DELAY), far wider than that window, so duplicates are
almost always zero; the assertions allow the one the protocol cannot rule out, and never a
skipped recipient."""

import time

import pytest
from django.utils import timezone

from newsletters import claims, mailings, sending, tasks
from newsletters.models import Delivery, NewsletterIssue

# Workers and test share committed data; restore the migrations' data afterwards.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

LEASE = 4


def make_issue(make_subscriber, count):
    subscribers = [
        make_subscriber(email=f"reader{n:03d}@force.police.example") for n in range(count)
    ]
    issue = NewsletterIssue.objects.create(
        title="Spring newsletter",
        body=[("text", "<p>New practice on missing children.</p>")],
    )
    return issue, {subscriber.email for subscriber in subscribers}


def wait_until(condition, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def leases_expired():
    """No pending row is held by a lease any more: what requeue_stranded waits for."""
    held_since = timezone.now() - claims.lease()
    return not Delivery.objects.filter(status="pending", claimed_at__gte=held_since).exists()


def mailing_finished(issue_pk, deliveries):
    """The mailing's final state in the database: every delivery row made and none pending,
    and the issue marked sent. A row is marked after the mail server accepted its message, so
    by then every message, and any repeat of one, has reached the sink."""
    return (
        Delivery.objects.count() == deliveries
        and not Delivery.objects.filter(status="pending").exists()
        and NewsletterIssue.objects.get(pk=issue_pk).status == "sent"
    )


def assert_exactly_once_each(sink, emails, allowed_duplicates=0):
    counts = sink.per_recipient()
    assert set(counts) == emails, "a recipient was skipped (or a stranger was mailed)"
    duplicates = sum(n - 1 for n in counts.values())
    assert duplicates <= allowed_duplicates
    assert Delivery.objects.filter(status="sent").count() == len(emails)
    return duplicates


def test_a_worker_killed_mid_chunk_loses_nobody_and_repeats_nobody(
    start_worker, sink, make_subscriber, settings
):
    settings.NEWSLETTERS_CLAIM_LEASE_SECONDS = LEASE
    issue, emails = make_issue(make_subscriber, 40)
    first = start_worker(NEWSLETTERS_SEND_DELAY=0.05, NEWSLETTERS_CLAIM_LEASE_SECONDS=LEASE)
    tasks.start_sending(issue.pk)

    assert wait_until(lambda: len(sink.messages) >= 8), "the first worker never sent"
    first.kill()
    sent_before_kill = len(sink.messages)
    assert sent_before_kill < 40, "the kill did not land mid-send"
    # The killed chunk's rows are held by its lease until it runs out.
    assert Delivery.objects.filter(status="pending", claimed_at__isnull=False).exists()

    start_worker(NEWSLETTERS_CLAIM_LEASE_SECONDS=LEASE)
    assert wait_until(leases_expired)
    tasks.requeue_stranded.delay()  # what beat does every minute

    assert wait_until(lambda: mailing_finished(issue.pk, 40))
    assert_exactly_once_each(sink, emails, allowed_duplicates=1)


def test_the_mailer_killed_mid_send_loses_nobody(start_worker, sink, make_subscriber, settings):
    """As docker-compose runs it: a default worker, and the mailer sending chunks on a pool of
    threads. Killed, each thread may leave its one in-flight message unmarked; never more."""
    lanes = 4
    settings.NEWSLETTERS_CLAIM_LEASE_SECONDS = LEASE
    settings.NEWSLETTERS_SEND_LANES = lanes
    issue, emails = make_issue(make_subscriber, 60)
    mailer = {
        "pool": "threads",
        "queues": "mail",
        "concurrency": lanes,
        "NEWSLETTERS_CLAIM_LEASE_SECONDS": LEASE,
        "NEWSLETTERS_SEND_LANES": lanes,
    }
    start_worker(
        queues="celery", NEWSLETTERS_SEND_LANES=lanes, NEWSLETTERS_CLAIM_LEASE_SECONDS=LEASE
    )
    first = start_worker(NEWSLETTERS_SEND_DELAY=0.05, **mailer)
    tasks.start_sending(issue.pk)

    assert wait_until(lambda: len(sink.messages) >= 12), "the mailer never sent"
    first.kill()
    assert len(sink.messages) < 60, "the kill did not land mid-send"

    start_worker(**mailer)
    assert wait_until(leases_expired)
    tasks.requeue_stranded.delay()  # what beat does every minute

    assert wait_until(lambda: mailing_finished(issue.pk, 60))
    assert_exactly_once_each(sink, emails, allowed_duplicates=lanes)


def test_queued_work_lost_with_the_broker_is_picked_up_again(
    start_worker, sink, make_subscriber, settings
):
    """Redis restarted without persistence: the queued tasks are gone, the rows are not."""
    from portal.celery import app

    settings.NEWSLETTERS_CLAIM_LEASE_SECONDS = LEASE
    issue, emails = make_issue(make_subscriber, 25)
    tasks.start_sending(issue.pk)  # queued; no worker is running yet
    with app.connection_for_write() as broker:
        broker.default_channel.client.flushdb()

    start_worker(NEWSLETTERS_CLAIM_LEASE_SECONDS=LEASE)
    tasks.requeue_stranded.delay()  # the issue was never prepared: prepare it
    assert wait_until(lambda: mailing_finished(issue.pk, 25))
    assert assert_exactly_once_each(sink, emails) == 0


def test_a_chunk_run_twice_or_retried_never_sends_twice(sink, make_subscriber, postgres):
    issue, emails = make_issue(make_subscriber, 12)
    tasks.start_sending(issue.pk)
    tasks.prepare_issue.apply(args=[issue.pk])  # run here, as if the task were delivered twice
    tasks.prepare_issue.apply(args=[issue.pk])
    mailing = issue.mailings.get()
    assert mailing.deliveries.count() == 12
    for _ in range(3):
        tasks.send_chunk.apply(args=[mailing.pk])
    assert assert_exactly_once_each(sink, emails) == 0
    mailing.refresh_from_db()
    assert mailing.completed_at is not None


def test_temporary_failures_are_retried_and_permanent_ones_suppress(
    sink, make_subscriber, postgres
):
    issue, emails = make_issue(make_subscriber, 6)
    busy, gone = sorted(emails)[:2]
    sink.handler.refuse = {busy: (451, "Try again later"), gone: (550, "No such user")}
    tasks.start_sending(issue.pk)
    tasks.prepare_issue.apply(args=[issue.pk])
    mailing = issue.mailings.get()

    claim_id, rows = claims.claim(mailing.pk)
    with pytest.raises(sending.TemporaryFailure):
        sending.send_claimed(mailing, claim_id, rows)
    busy_row = Delivery.objects.get(subscriber__email=busy)
    assert (busy_row.status, busy_row.attempts, busy_row.claimed_at) == ("pending", 1, None)
    # Rows after the failure were released, not stranded until the lease ends.
    assert not Delivery.objects.filter(status="pending", claimed_at__isnull=False).exists()

    sink.handler.refuse = {gone: (550, "No such user")}
    while claims.claimable(mailing.pk).exists():
        claim_id, rows = claims.claim(mailing.pk)
        sending.send_claimed(mailing, claim_id, rows)
    counts = sink.per_recipient()
    assert set(counts) == emails - {gone}
    assert all(n == 1 for n in counts.values())
    gone_row = Delivery.objects.select_related("subscriber").get(subscriber__email=gone)
    assert gone_row.status == "failed"
    assert gone_row.subscriber.status == "suppressed"
    assert mailings.finish_if_done(mailing.pk)
    assert NewsletterIssue.objects.get(pk=issue.pk).sent_at <= timezone.now()
