"""Exactly-once sending of a mailing's delivery rows.

How a row is sent:

1. `claims.claim` takes up to CHUNK_SIZE pending rows whose lease is free (never claimed, or
   claimed longer ago than NEWSLETTERS_CLAIM_LEASE_SECONDS, which means their worker died) with
   SELECT ... FOR UPDATE SKIP LOCKED, stamps them with a fresh claim id and commits. Two
   workers never hold the same row.
2. `send_claimed` opens one connection to the mail server and, for each row, sends the message
   (built by message_builder.py) and then at once marks the row sent (an autocommitted UPDATE
   guarded by the claim id).

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

from anymail.exceptions import AnymailAPIError, AnymailRecipientsRefused
from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.db import connections, router
from django.utils import timezone

from . import failures, throttle
from .claims import release
from .message_builder import MessageBuilder
from .models import Delivery, Subscriber

logger = logging.getLogger(__name__)

# After this many temporary failures a row is marked failed instead of tried again.
MAX_ATTEMPTS = 5


class TemporaryFailure(Exception):
    """The mail server or provider could not take messages right now: retry later."""


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
