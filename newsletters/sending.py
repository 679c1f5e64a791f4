"""Exactly-once sending of a mailing's delivery rows.

How a row is sent:

1. `claim` takes up to CHUNK_SIZE pending rows whose lease is free (never claimed, or claimed
   longer ago than NEWSLETTERS_CLAIM_LEASE_SECONDS, which means their worker died) with
   SELECT ... FOR UPDATE SKIP LOCKED, stamps them with a fresh claim id and commits. Two
   workers never hold the same row.
2. `send_claimed` opens one connection to the mail server and, for each row, sends the message
   and then at once marks the row sent (an autocommitted UPDATE guarded by the claim id).

Send-then-mark is the only order that never skips anyone: mark-then-send loses the message if
the process dies between the two. Its cost is that a worker killed after the server accepted
a message but before the UPDATE commits leaves that one row pending, and it is sent again when
the lease runs out. That window is one local UPDATE (about a millisecond), nothing else runs in
it, and at most one message (the one in flight) can be repeated per chunk a killed worker was
sending (one per mailer thread). No protocol can close it: SMTP has no way to ask "did you
already accept this?". Such a repeat carries the same Message-ID (prepared.message_id), which
mail systems that drop duplicates use. Marks are committed without waiting for the disk
(NEWSLETTERS_ASYNCHRONOUS_MARKS): a killed worker loses none, only a crash of PostgreSQL
itself could lose the last fraction of a second of them.

A chunk stops claiming-and-sending once half its lease has gone, releasing what it has not
sent, so a slow chunk never sends on a lease another worker may already have taken over.
"""

import logging
import smtplib
import time
import uuid
from datetime import timedelta

from anymail.exceptions import AnymailAPIError, AnymailRecipientsRefused
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.db import connections, router, transaction
from django.db.models import Count, Q
from django.utils import timezone

from portal.visibility import PUBLIC_ONLY

from . import failures, links, prepared, rendering, throttle
from .models import Delivery, Mailing, NewsletterIssue, SentItem, Subscriber

logger = logging.getLogger(__name__)

# Rows per chunk task. Big enough to amortise the claim, the task and the SMTP handshake over
# many messages; small enough that a killed worker strands only a few rows until the lease runs
# out. At a low global rate a chunk may not finish: it stops at half its lease and releases
# the rest (see send_claimed).
CHUNK_SIZE = 250
# After this many temporary failures a row is marked failed instead of tried again.
MAX_ATTEMPTS = 5


class TemporaryFailure(Exception):
    """The mail server or provider could not take messages right now: retry later."""


def lease():
    return timedelta(seconds=settings.NEWSLETTERS_CLAIM_LEASE_SECONDS)


def claimable(mailing_id, now=None):
    now = now or timezone.now()
    return Delivery.objects.filter(mailing_id=mailing_id, status=Delivery.Status.PENDING).filter(
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - lease())
    )


def claim(mailing_id, limit=CHUNK_SIZE, claim_id=None, worker=""):
    """Claim up to `limit` rows for this worker: (claim id, rows with their subscribers)."""
    claim_id = claim_id or uuid.uuid4()
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            claimable(mailing_id, now)
            .order_by("pk")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:limit]
        )
        if not ids:
            return claim_id, []
        Delivery.objects.filter(pk__in=ids).update(
            claimed_at=now, claim=claim_id, claimed_by=worker
        )
    rows = list(
        Delivery.objects.filter(pk__in=ids, claim=claim_id)
        .select_related("subscriber")
        .order_by("pk")
    )
    return claim_id, rows


def release(claim_id, rows):
    """Give back claimed rows that were not sent, so the next chunk takes them at once."""
    Delivery.objects.filter(
        pk__in=[row.pk for row in rows], claim=claim_id, status=Delivery.Status.PENDING
    ).update(claimed_at=None, claim=None)


# While a chunk sends, whether each page may still be shown is checked again this often: a page
# unpublished or restricted mid-chunk stops going out within this time.
RECHECK_SECONDS = 1.0


def recipient_levels(subscriber):
    """The restriction levels (portal.visibility) a subscriber's copies may show. Subscribers
    are known only by an address nobody has verified as police, so public pages only."""
    return PUBLIC_ONLY


def issue_as_sent(mailing):
    """The issue as it was when sending started (its snapshot on the mailing), so everyone gets
    the same even if it is edited mid-send; the live issue for a mailing without one."""
    if mailing.body is None:
        return mailing.issue
    return NewsletterIssue(
        pk=mailing.issue_id, title=mailing.subject, summary="", body=mailing.body
    )


class MessageBuilder:
    """Builds each row's message. Which pages a copy shows is decided as it is built, from the
    recipient's levels and the pages' state now (rechecked every RECHECK_SECONDS). An issue is
    rendered once per set of shown pages (and, for the SMTP backend, turned into wire bytes
    once: see prepared.py); alerts and digests list each subscriber's own pages, so those are
    rendered per row."""

    def __init__(self, mailing, wire=False):
        self.mailing = mailing
        self.wire = wire
        self.issue = issue_as_sent(mailing) if mailing.kind == Mailing.Kind.ISSUE else None
        self.page_ids = rendering.chosen_page_ids(self.issue) if self.issue else []
        self._shown = {}  # levels -> (checked at, {page id: page})
        self._copies = {}  # levels -> (shown page ids, (subject, text, html), prepared)
        self.links = links.Links()

    def load_pages(self, rows):
        """Alerts and digests: the pages these rows list."""
        wanted = {pk for row in rows for pk in row.page_ids} - set(self.page_ids)
        if wanted:
            self.page_ids = [*self.page_ids, *sorted(wanted)]
            self._shown.clear()

    def shown(self, levels):
        """{page id: page} of this mailing's pages that `levels` may see now."""
        checked = self._shown.get(levels)
        if checked is None or time.monotonic() - checked[0] > RECHECK_SECONDS:
            checked = (time.monotonic(), rendering.shown_pages(self.page_ids, levels))
            self._shown[levels] = checked
        return checked[1]

    def issue_copy(self, levels):
        """((subject, text, html), prepared message or None) of the issue for `levels`."""
        shown = self.shown(levels)
        copy = self._copies.get(levels)
        if copy is None or copy[0] != set(shown):
            parts = rendering.render_issue(self.issue, levels, shown=shown)
            wire = prepared.PreparedMessage(*parts) if self.wire else None
            copy = (set(shown), parts, wire)
            self._copies[levels] = copy
        return copy[1], copy[2]

    def build_wire(self, row):
        """(envelope sender, recipient, message bytes) from the prepared issue, or None when
        this row needs an ordinary message (not an issue, or an address that needs encoding)."""
        if self.issue is None or not self.wire:
            return None
        subscriber = row.subscriber
        _parts, wire_message = self.issue_copy(recipient_levels(subscriber))
        wire = wire_message.render(
            subscriber.email,
            prepared.message_id(self.mailing.pk, row.pk),
            self.links.manage_url(subscriber),
            self.links.unsubscribe_url(subscriber),
        )
        if wire is None:
            return None
        sender, data = wire
        return sender, subscriber.email, data

    def build(self, row):
        subscriber = row.subscriber
        levels = recipient_levels(subscriber)
        manage_url = self.links.manage_url(subscriber)
        unsubscribe_url = self.links.unsubscribe_url(subscriber)
        if self.issue is not None:
            (subject, text, html), _wire = self.issue_copy(levels)
            text = rendering.personalise(text, manage_url, unsubscribe_url)
            html = rendering.personalise(html, manage_url, unsubscribe_url)
        else:
            shown = self.shown(levels)
            pages = [shown[pk] for pk in row.page_ids if pk in shown]
            if not pages:
                return None
            subject, text, html = rendering.render_updates(
                self.mailing.kind,
                pages,
                manage_url,
                unsubscribe_url,
                frequency=self.mailing.key.split(":")[1] if self.mailing.kind == "digest" else "",
            )
        return list_message(
            subscriber.email,
            subject,
            text,
            html,
            unsubscribe_url,
            manage_url,
            message_id=prepared.message_id(self.mailing.pk, row.pk),
        )


def list_message(to, subject, text, html, unsubscribe_url, manage_url, message_id=None):
    headers = prepared.list_headers(unsubscribe_url, manage_url)
    if message_id:
        headers["Message-ID"] = message_id
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=[to],
        headers=headers,
        # Django sends from_email as the envelope sender and a From header, if given, instead.
        from_email=prepared.envelope_sender(),
    )
    message.attach_alternative(html, "text/html")
    return message


def send_claimed(mailing, claim_id, rows):
    """Send each claimed row over one connection and mark it; returns how many rows were
    settled. Raises TemporaryFailure (after releasing the rows not yet sent) when the server
    cannot take messages now. When the relay refuses everyone (failures.py) the mailing is
    paused and the rows not sent are released untouched: nobody is suppressed for it."""
    started = time.monotonic()
    budget = settings.NEWSLETTERS_CLAIM_LEASE_SECONDS / 2
    connection = get_connection(fail_silently=False)
    # Django's SMTP backend: issues go as prepared bytes over its smtplib connection.
    wire = isinstance(connection, SMTPBackend)
    builder = MessageBuilder(mailing, wire=wire)
    builder.load_pages(rows)
    marks = Marks(claim_id)
    suspects = failures.Suspects(settings.NEWSLETTERS_RELAY_FAILURE_THRESHOLD)
    remaining = list(rows)
    tokens = 0
    try:
        _open(connection)
        while remaining:
            row = remaining[0]
            if time.monotonic() - started > budget:
                break
            if row.subscriber.status != Subscriber.Status.ACTIVE:
                marks.finish(row, Delivery.Status.SKIPPED, "No longer subscribed")
                remaining.pop(0)
                continue
            raw = builder.build_wire(row) if wire else None
            message = None if raw else builder.build(row)
            if raw is None and message is None:
                marks.finish(row, Delivery.Status.SKIPPED, "Nothing left to send")
                remaining.pop(0)
                continue
            if not tokens:
                tokens = throttle.batch_size(len(remaining))
                throttle.take(tokens)
            tokens -= 1
            if settings.NEWSLETTERS_SEND_DELAY:
                # Tests only: widens the time a chunk takes so a SIGKILL lands mid-chunk.
                time.sleep(settings.NEWSLETTERS_SEND_DELAY)
            try:
                if raw:
                    connection.connection.sendmail(raw[0], [raw[1]], raw[2])
                else:
                    message.connection = connection
                    message.send()
            except (smtplib.SMTPException, AnymailRecipientsRefused) as exc:
                outcome = failures.classify(exc)
                if outcome == failures.TEMPORARY:
                    _note_attempt(row, claim_id, exc)
                    raise TemporaryFailure(str(exc)) from exc
                if outcome == failures.RELAY:
                    raise failures.RelayFailure(exc) from exc
                remaining.pop(0)
                if suspects.refused(row, exc):
                    raise failures.RelayFailure(exc) from exc
                continue
            except (OSError, AnymailAPIError) as exc:
                _note_attempt(row, claim_id, exc)
                raise TemporaryFailure(str(exc)) from exc
            # The server has the message: mark it before doing anything else (see above).
            marks.finish(row, Delivery.Status.SENT)
            remaining.pop(0)
            # The relay takes messages, so the refusals before this one were the recipients'.
            for refused, exc in suspects.take():
                marks.finish(refused, Delivery.Status.FAILED, str(exc))
                failures.suppress(refused.subscriber, f"Refused by the mail server: {exc}")
    except TemporaryFailure:
        release(claim_id, suspects.rows() + remaining)
        raise
    except failures.RelayFailure as failure:
        held = suspects.take()
        release(claim_id, [row for row, _ in held] + remaining)
        failures.pause(mailing.pk, failure.args[0], len(held))
        return len(rows) - len(remaining) - len(held)
    finally:
        marks.close()
        try:
            connection.close()
        except (OSError, smtplib.SMTPException):
            logger.warning("Closing the SMTP connection failed", exc_info=True)
    # Refused with nothing accepted after them: the relay may have started refusing everyone
    # just now. Counted as attempts, never suppressed; a later chunk settles them.
    held = suspects.take()
    for row, exc in held:
        _note_attempt(row, claim_id, exc)
    release(claim_id, [row for row, _ in held] + remaining)
    return len(rows) - len(remaining) - len(held)


def _open(connection):
    """Connect and log in: a 5xx here is the relay refusing us, anything else temporary."""
    try:
        connection.open()
    except OSError as exc:  # smtplib's errors are OSErrors too
        if failures.classify(exc) == failures.RELAY:
            raise failures.RelayFailure(exc) from exc
        raise TemporaryFailure(str(exc)) from exc


class Marks:
    """Marks rows settled, one autocommitted UPDATE each, guarded by the claim id. Plain SQL
    on one cursor: this runs once per message, and the ORM's query building cost more than
    the statement."""

    SQL = (
        f"UPDATE {Delivery._meta.db_table} SET status = %s, sent_at = %s, error = %s, "  # noqa: S608 - constant
        "claimed_at = NULL WHERE id = %s AND claim = %s AND status = %s"
    )

    def __init__(self, claim_id):
        self.connection = connections[router.db_for_write(Delivery)]
        # As the ORM would store them (SQLite keeps UUIDs as hex and datetimes as text).
        self.claim = self._prep("claim", claim_id)
        self.asynchronous = (
            settings.NEWSLETTERS_ASYNCHRONOUS_MARKS and self.connection.vendor == "postgresql"
        )
        if self.asynchronous:
            with self.connection.cursor() as cursor:
                cursor.execute("SET synchronous_commit TO off")

    def close(self):
        if self.asynchronous:
            with self.connection.cursor() as cursor:
                cursor.execute("RESET synchronous_commit")

    def _prep(self, field, value):
        return Delivery._meta.get_field(field).get_db_prep_value(value, self.connection)

    def finish(self, row, status, error=""):
        sent_at = self._prep("sent_at", timezone.now() if status == Delivery.Status.SENT else None)
        with self.connection.cursor() as cursor:
            cursor.execute(
                self.SQL,
                [status, sent_at, error[:500], row.pk, self.claim, Delivery.Status.PENDING],
            )
            updated = cursor.rowcount
        if not updated:
            # Only possible if this chunk outlived its lease despite the budget check.
            logger.error("Delivery %s was taken over by another worker", row.pk)


def _note_attempt(row, claim_id, exc):
    attempts = row.attempts + 1
    status = Delivery.Status.FAILED if attempts >= MAX_ATTEMPTS else Delivery.Status.PENDING
    Delivery.objects.filter(pk=row.pk, claim=claim_id, status=Delivery.Status.PENDING).update(
        attempts=attempts, error=str(exc)[:500], status=status
    )


def unsubscribe_from_everything(subscriber):
    """What the unsubscribe link does: every subscription ends, and the address is marked
    unsubscribed (to be erased after NEWSLETTERS_ERASE_AFTER_DAYS) unless it is suppressed.
    Returns when it was unsubscribed, or None for a suppressed address (kept to stop mail)."""
    with transaction.atomic():
        subscriber.subscriptions.all().delete()
        if subscriber.status == Subscriber.Status.SUPPRESSED:
            return None
        unsubscribed_at = subscriber.unsubscribed_at or timezone.now()
        Subscriber.objects.filter(pk=subscriber.pk).update(
            status=Subscriber.Status.UNSUBSCRIBED, unsubscribed_at=unsubscribed_at
        )
    return unsubscribed_at


def finish_if_done(mailing_id):
    """Mark the mailing (and its issue) complete once every row is settled."""
    mailing = Mailing.objects.filter(pk=mailing_id, completed_at__isnull=True).first()
    if mailing is None or mailing.prepared_at is None:
        return False
    if mailing.deliveries.filter(status=Delivery.Status.PENDING).exists():
        return False
    now = timezone.now()
    Mailing.objects.filter(pk=mailing_id, completed_at__isnull=True).update(completed_at=now)
    if mailing.issue_id:
        NewsletterIssue.objects.filter(pk=mailing.issue_id).exclude(
            status=NewsletterIssue.Status.SENT
        ).update(status=NewsletterIssue.Status.SENT, sent_at=now)
    return True


def progress(mailing_ids):
    """{mailing id: {"sent": n, "pending": n, "failed": n, "skipped": n}} in one query."""
    counts = {pk: dict.fromkeys(Delivery.Status.values, 0) for pk in mailing_ids}
    rows = (
        Delivery.objects.filter(mailing_id__in=mailing_ids)
        .values("mailing_id", "status")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        counts[row["mailing_id"]][row["status"]] = row["n"]
    return counts


def create_deliveries(mailing, subscriber_pages):
    """Delivery rows for {subscriber id: [page ids]} and the SentItems that stop those pages
    reaching the same people twice. Pages a subscriber was already told about are dropped;
    subscribers left with nothing get no row. Safe to run twice (unique constraints)."""
    if not subscriber_pages:
        return 0
    already = set(
        SentItem.objects.filter(subscriber_id__in=list(subscriber_pages)).values_list(
            "subscriber_id", "page_id"
        )
    )
    deliveries, items = [], []
    for subscriber_id, page_ids in subscriber_pages.items():
        fresh = [pk for pk in page_ids if (subscriber_id, pk) not in already]
        if not fresh:
            continue
        deliveries.append(Delivery(mailing=mailing, subscriber_id=subscriber_id, page_ids=fresh))
        items.extend(
            SentItem(subscriber_id=subscriber_id, page_id=pk, mailing=mailing) for pk in fresh
        )
    with transaction.atomic():
        Delivery.objects.bulk_create(deliveries, ignore_conflicts=True)
        SentItem.objects.bulk_create(items, ignore_conflicts=True)
    return len(deliveries)
