"""Claiming a mailing's delivery rows with a lease, so two workers never hold the same row.

`claim` takes up to CHUNK_SIZE pending rows whose lease is free (never claimed, or claimed
longer ago than NEWSLETTERS_CLAIM_LEASE_SECONDS, which means their worker died) with
SELECT ... FOR UPDATE SKIP LOCKED, stamps them with a fresh claim id and commits. What a chunk
does with its rows, and why a lease is enough for exactly-once sending, is in sending.py.
"""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import Delivery

# Rows per chunk task. Big enough to amortise the claim, the task and the SMTP handshake over
# many messages; small enough that a killed worker strands only a few rows until the lease runs
# out. At a low global rate a chunk may not finish: it stops at half its lease and releases
# the rest (see sending.send_claimed).
CHUNK_SIZE = 250


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
