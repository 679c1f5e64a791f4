"""Sending picks up again within seconds after a failure, instead of after the claim lease.

- A chunk task that dies from a database or Redis error (a dropped connection, a restart)
  releases the rows it claimed and is retried with a short backoff (`retry_chunk`). If the
  database is the thing that is down, the release itself fails: the retried task releases
  them first (`release`), before claiming anything.
- A mailer that restarts releases at once the rows its previous run held (`on_worker_ready`):
  every claim is stamped with the worker's Celery hostname, and a worker that starts under a
  name knows nothing claimed under it before it started is being sent. The mailer must keep
  its name across restarts (docker-compose.yml gives it one); otherwise the lease applies.
"""

import logging

from django.db import InterfaceError, OperationalError, connections
from django.utils import timezone
from redis.exceptions import RedisError

from .models import Delivery, Mailing

logger = logging.getLogger(__name__)

# Errors a chunk survives by trying again shortly: the database or Redis went away.
OUTAGE_ERRORS = (OperationalError, InterfaceError, RedisError)
# Backoff after an outage error: 2, 4, 8 ... seconds, never more than a minute.
BACKOFF_START, BACKOFF_MAX = 2, 60


def release(claim_id):
    """Give back every row of this claim not yet settled."""
    return Delivery.objects.filter(claim=claim_id, status=Delivery.Status.PENDING).update(
        claimed_at=None, claim=None, claimed_by=""
    )


def retry_chunk(task, mailing_id, claim_id, exc):
    """The Retry to raise from a chunk task that met an outage error: rows released (now, or
    by the retried task if the database cannot be reached now), then tried again soon."""
    released = False
    _drop_broken_connections()
    try:
        release(claim_id)
        released = True
    except OUTAGE_ERRORS:
        _drop_broken_connections()
    countdown = min(BACKOFF_START * 2**task.request.retries, BACKOFF_MAX)
    logger.warning(
        "Sending mailing %s stopped (%s: %s); trying again in %s s",
        mailing_id,
        exc.__class__.__name__,
        exc,
        countdown,
    )
    kwargs = {"mailing_id": mailing_id}
    if not released:
        kwargs["release_claim"] = str(claim_id)
    return task.retry(exc=exc, countdown=countdown, args=(), kwargs=kwargs)


def _drop_broken_connections():
    """Close database connections the error left unusable, so the next query reconnects."""
    for connection in connections.all(initialized_only=True):
        if connection.in_atomic_block or connection.connection is None:
            continue
        if not connection.is_usable():
            connection.close()


def release_abandoned(worker, started_at):
    """Release rows claimed under `worker` before `started_at`; the ids of their mailings."""
    rows = Delivery.objects.filter(
        status=Delivery.Status.PENDING,
        claim__isnull=False,
        claimed_by=worker,
        claimed_at__lt=started_at,
    )
    mailing_ids = set(rows.values_list("mailing_id", flat=True).distinct())
    if mailing_ids:
        rows.update(claimed_at=None, claim=None, claimed_by="")
    return mailing_ids


def on_worker_ready(sender=None, **kwargs):
    """Celery's worker_ready: resume what this worker's previous run was sending."""
    from .tasks import dispatch

    worker = getattr(sender, "hostname", "")
    if not worker:
        return
    try:
        mailing_ids = release_abandoned(worker, _started.get("at") or timezone.now())
        unfinished = Mailing.objects.filter(
            pk__in=mailing_ids, completed_at__isnull=True, paused_at__isnull=True
        ).values_list("pk", flat=True)
        for mailing_id in unfinished:
            logger.warning("Resuming mailing %s, interrupted when %s stopped", mailing_id, worker)
            dispatch(mailing_id)
    except OUTAGE_ERRORS:
        # The database is not there yet: the lease and beat's requeue_stranded still apply.
        logger.warning("Could not check for interrupted mailings at start-up", exc_info=True)
    finally:
        # Closed, not kept for CONN_MAX_AGE: a prefork worker's main process runs no task, and
        # would hold the connection idle for as long as it runs.
        connections.close_all()


_started = {}


def on_worker_init(sender=None, **kwargs):
    """Celery's worker_init: when this run started. Claims made under the worker's name before
    then were its previous run's; those made since may be this run's own chunks at work."""
    _started["at"] = timezone.now()
