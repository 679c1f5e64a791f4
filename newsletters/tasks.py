"""Celery tasks: every one takes primary keys, is safe to run twice, and leaves sending to
`send_chunk`, which works through a mailing's delivery rows (claims.py, sending.py). The work
itself lives in the modules named in each task; these functions are what Celery runs and
enqueues, under the names `newsletters.tasks.<function>` that settings and the outbox use."""

import datetime as dt
import uuid

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from portal import outbox

from . import claims, cooldown, failures, mailings, recovery, rendering, sending, subscribers
from .message_builder import list_message
from .models import Mailing, NewsletterIssue, Subscriber, Subscription


def dispatch(mailing_id):
    """Start NEWSLETTERS_SEND_LANES chunk tasks; each re-enqueues itself while work remains.
    Extra lanes are harmless: a lane that finds nothing to claim stops."""
    for _ in range(settings.NEWSLETTERS_SEND_LANES):
        send_chunk.delay_on_commit(mailing_id)


# The lease must outlast this time limit, so a live chunk never loses its rows to another.
@shared_task(bind=True, max_retries=8, acks_late=True, soft_time_limit=200, time_limit=240)
def send_chunk(self, mailing_id, release_claim=None):
    """Claim and send one chunk of a mailing's rows, then enqueue the next. A database or
    Redis error releases the rows and retries within seconds (recovery.py); `release_claim`
    is a claim an earlier try could not release itself."""
    claim_id = uuid.uuid4()
    try:
        if release_claim:
            recovery.release(release_claim)
        return _send_chunk(self, mailing_id, claim_id)
    except recovery.OUTAGE_ERRORS as exc:
        raise recovery.retry_chunk(self, mailing_id, release_claim or claim_id, exc) from exc


def _send_chunk(task, mailing_id, claim_id):
    mailing = Mailing.objects.select_related("issue").filter(pk=mailing_id).first()
    if mailing is None or mailing.completed_at is not None or mailing.paused_at is not None:
        return 0
    worker = task.request.hostname or ""
    claim_id, rows = claims.claim(mailing_id, claim_id=claim_id, worker=worker)
    if not rows:
        mailings.finish_if_done(mailing_id)
        return 0
    try:
        sent = sending.send_claimed(mailing, claim_id, rows)
    except sending.TemporaryFailure as exc:
        # Exponential backoff: 30 s, 1, 2, 4 ... minutes, capped at an hour.
        countdown = min(30 * 2**task.request.retries, 3600)
        # Without release_claim: these rows were released before the failure was raised.
        raise task.retry(
            exc=exc, countdown=countdown, args=(), kwargs={"mailing_id": mailing_id}
        ) from exc
    if claims.claimable(mailing_id).exists():
        send_chunk.delay(mailing_id)
    else:
        mailings.finish_if_done(mailing_id)
    return sent


@shared_task(soft_time_limit=50, time_limit=60)
def requeue_stranded():
    """Beat, every minute: restart sending for any unfinished mailing that has rows nobody is
    working on: rows a killed worker claimed whose lease ran out, or rows whose chunk tasks
    were lost (a broker restarted without persistence)."""
    now = timezone.now()
    stalled_since = now - claims.lease()
    # Issues whose preparation task was lost before it made every delivery row.
    unprepared = NewsletterIssue.objects.filter(status=NewsletterIssue.Status.SENDING).exclude(
        mailings__prepared_at__isnull=False
    )
    for issue_id in unprepared.values_list("pk", flat=True):
        prepare_issue.delay(issue_id)
    unfinished = Mailing.objects.filter(
        completed_at__isnull=True, prepared_at__isnull=False, paused_at__isnull=True
    )
    for mailing in unfinished:
        rows = claims.claimable(mailing.pk, now)
        # Unclaimed rows are normal while lanes are busy; only act once nothing has moved
        # for a lease.
        recent = mailing.deliveries.filter(sent_at__gte=stalled_since).exists()
        stranded = rows.filter(claimed_at__isnull=False).exists()
        if stranded or (rows.exists() and not recent and mailing.prepared_at < stalled_since):
            dispatch(mailing.pk)
        elif not rows.exists():
            mailings.finish_if_done(mailing.pk)


def resume_sending(mailing_id):
    """The NCPI team mended the relay: send the rest of a paused mailing."""
    resumed = Mailing.objects.filter(pk=mailing_id, paused_at__isnull=False).update(
        paused_at=None, paused_reason=""
    )
    if resumed:
        dispatch(mailing_id)
    return bool(resumed)


@shared_task(bind=True, max_retries=8, soft_time_limit=50, time_limit=60)
def alert_sending_paused(self, mailing_id):
    """Tell the NCPI team a mailing is paused (failures.py). Retried with backoff: the message
    may have to wait for the very relay that failed."""
    mailing = Mailing.objects.filter(pk=mailing_id, paused_at__isnull=False).first()
    if mailing is None:  # resumed meanwhile
        return False
    try:
        failures.alert_message(mailing).send()
    except OSError as exc:
        raise self.retry(exc=exc, countdown=60 * 2**self.request.retries) from exc
    return True


def start_sending(issue_id):
    """Send an issue now (admin "Send now", or its scheduled time arriving). Once only."""
    with transaction.atomic():
        issue = (
            NewsletterIssue.objects.select_for_update()
            .filter(
                pk=issue_id,
                status__in=[NewsletterIssue.Status.DRAFT, NewsletterIssue.Status.SCHEDULED],
            )
            .first()
        )
        if issue is None:
            return False
        issue.status = NewsletterIssue.Status.SENDING
        issue.save(update_fields=["status"])
        prepare_issue.delay_on_commit(issue.pk)
    return True


@shared_task(acks_late=True, soft_time_limit=540, time_limit=600)
def prepare_issue(issue_id):
    """One delivery row per recipient (mailings.py), then the chunk tasks."""
    mailing_id = mailings.prepare_issue(issue_id)
    if mailing_id is not None:
        dispatch(mailing_id)


@shared_task(soft_time_limit=50, time_limit=60)
def send_scheduled_issues():
    """Beat, every minute: start issues whose scheduled time has come."""
    due = NewsletterIssue.objects.filter(
        status=NewsletterIssue.Status.SCHEDULED, scheduled_at__lte=timezone.now()
    ).values_list("pk", flat=True)
    for issue_id in due:
        start_sending(issue_id)


@shared_task(acks_late=True, soft_time_limit=110, time_limit=120)
def queue_alert(page_id):
    """An alert about a newly published page (mailings.py), then the chunk tasks."""
    mailing_id, created = mailings.prepare_alert(page_id)
    if mailing_id is not None:
        dispatch(mailing_id)
    return created


@shared_task(acks_late=True, soft_time_limit=540, time_limit=600)
def send_digests(frequency):
    """Beat, weekly or monthly: the digests of that frequency (mailings.py), then the chunk
    tasks."""
    mailing_id, created = mailings.prepare_digest(frequency)
    if mailing_id is not None:
        dispatch(mailing_id)
    return created


@shared_task(bind=True, max_retries=8, soft_time_limit=50, time_limit=60)
def send_confirmation(self, subscriber_id):
    """The double opt-in email: one per sign-up request, and never a second to the same address
    within the cooldown, however often the task runs. The subscriber's row stays locked while
    the email goes, so two runs at once send one, and sign-ups for the address wait."""
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().filter(pk=subscriber_id).first()
        now = timezone.now()
        if subscriber is None or not cooldown.confirmation_due(subscriber, now):
            return False
        email = subscribers.confirmation_email(subscriber)
        try:
            email.send()
        except OSError as exc:
            raise self.retry(exc=exc, countdown=60 * 2**self.request.retries) from exc
        subscriber.confirmation_sent_at = now
        subscriber.save(update_fields=["confirmation_sent_at"])
    return True


@shared_task(bind=True, max_retries=8, soft_time_limit=50, time_limit=60)
def send_manage_link(self, subscriber_id):
    """A fresh manage link, asked for from an expired one (the view allows one per cooldown).
    Sent once per request even if the outbox delivers the request twice."""
    with outbox.once(self.request.id) as due:
        if not due:
            return False
        return _send_manage_link(self, subscriber_id)


def _send_manage_link(task, subscriber_id):
    subscriber = (
        Subscriber.objects.filter(pk=subscriber_id)
        .exclude(status=Subscriber.Status.SUPPRESSED)
        .first()
    )
    if subscriber is None:
        return False
    try:
        subscribers.manage_link_email(subscriber).send()
    except OSError as exc:
        raise task.retry(exc=exc, countdown=60 * 2**task.request.retries) from exc
    return True


@shared_task(bind=True, max_retries=3, soft_time_limit=50, time_limit=60)
def send_test_issue(self, issue_id, email):
    """A test copy of an issue for the NCPI team: no delivery row, links point nowhere."""
    issue = NewsletterIssue.objects.filter(pk=issue_id).first()
    if issue is None:
        return False
    subject, text, html = rendering.render_issue(issue)
    message = list_message(
        email,
        f"[Test] {subject}",
        rendering.personalise(text, "#manage", "#unsubscribe"),
        rendering.personalise(html, "#manage", "#unsubscribe"),
        "https://example.invalid/unsubscribe",
        "#manage",
    )
    try:
        message.send()
    except OSError as exc:
        raise self.retry(exc=exc, countdown=60) from exc
    return True


@shared_task(soft_time_limit=110, time_limit=120)
def expire_unconfirmed():
    """Beat, hourly: forget sign-ups nobody confirmed in time."""
    cutoff = timezone.now() - dt.timedelta(seconds=settings.NEWSLETTERS_CONFIRM_MAX_AGE)
    addresses, _ = Subscriber.objects.filter(
        status=Subscriber.Status.PENDING, confirmation_requested_at__lt=cutoff
    ).delete()
    topics, _ = Subscription.objects.filter(active=False, created_at__lt=cutoff).delete()
    return addresses + topics


@shared_task(soft_time_limit=110, time_limit=120)
def erase_unsubscribed():
    """Beat, daily: erase the address of anyone unsubscribed from everything for 28 days."""
    cutoff = timezone.now() - dt.timedelta(days=settings.NEWSLETTERS_ERASE_AFTER_DAYS)
    deleted, _ = Subscriber.objects.filter(
        status=Subscriber.Status.UNSUBSCRIBED, unsubscribed_at__lt=cutoff
    ).delete()
    return deleted


@shared_task(soft_time_limit=240, time_limit=280)
def read_bounce_mailbox():
    """Beat, every five minutes: suppress hard bounces and complaints returned to the bounce
    mailbox (bounces.py). Nothing to do when no mailbox is configured."""
    from . import bounces

    if not settings.NEWSLETTERS_BOUNCE_MAILBOX_URL:
        return None
    try:
        outcome = bounces.read_mailbox()
    except bounces.MailboxError:
        # Logged with the reason; the next run tries again, and nothing was deleted unread.
        bounces.logger.exception("Reading the bounce mailbox failed")
        return None
    return vars(outcome)
