"""The transactional outbox: tasks (emails, mostly) recorded in the same transaction as the
change that causes them, published to the broker after the commit.

`send_after_commit(task, *args, **kwargs)` replaces `task.delay_on_commit(...)`. If the broker
is down when the transaction commits, the person still sees success: the row stays
unpublished and beat's `publish_outbox` (every OUTBOX_PUBLISH_SECONDS) publishes it once the
broker is back. A process killed between the commit and the publish leaves a row that beat
publishes after OUTBOX_RETRY_AFTER.

Each message is published with the task id `outbox-<pk>`, so a task can tell (`once`) that a
second delivery of the same message is a repeat. Tasks sent this way are safe to run twice
anyway (their emails are claimed in the database); `once` covers those that are not.
"""

import contextlib
import datetime as dt
import logging

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from kombu.exceptions import OperationalError
from redis.exceptions import RedisError

from .models import OutboxMessage

logger = logging.getLogger("portal.outbox")

TASK_ID_PREFIX = "outbox-"
# Publishing gives up quickly when the broker is down: the request must not wait for it.
RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.4}
PUBLISH_BATCH = 500
BROKER_DOWN = (OperationalError, RedisError, OSError)


def retry_after():
    return dt.timedelta(seconds=getattr(settings, "OUTBOX_RETRY_AFTER_SECONDS", 60))


def send_after_commit(task, *args, **kwargs):
    """Record `task(*args, **kwargs)` now, in the current transaction; publish it after the
    commit. Nothing is recorded or sent if the transaction rolls back."""
    message = OutboxMessage.objects.create(
        task=task.name, args=list(args), kwargs=kwargs, attempted_at=timezone.now()
    )
    transaction.on_commit(lambda: publish(message))
    return message


def publish(message):
    """Hand the message to the broker; True if it took it. A broker that is down is logged,
    not raised: the row waits for beat."""
    try:
        # Through the registered task, so that tasks run inline where Celery is eager.
        current_app.tasks[message.task].apply_async(
            args=message.args,
            kwargs=message.kwargs,
            task_id=f"{TASK_ID_PREFIX}{message.pk}",
            retry=True,
            retry_policy=RETRY_POLICY,
        )
    except BROKER_DOWN as exc:
        logger.warning("The broker did not take %s (%s): beat will publish it", message.task, exc)
        OutboxMessage.objects.filter(pk=message.pk, published_at__isnull=True).update(
            attempted_at=None
        )
        return False
    OutboxMessage.objects.filter(pk=message.pk).update(published_at=timezone.now())
    return True


def publish_pending(now=None):
    """Beat: publish messages the broker never took. Each is taken with a conditional update,
    so two runs at once never both publish it. Returns how many were published."""
    now = now or timezone.now()
    stale = now - retry_after()
    due = Q(published_at__isnull=True) & (Q(attempted_at__isnull=True) | Q(attempted_at__lt=stale))
    pending = OutboxMessage.objects.filter(due)
    published = 0
    for message in pending.order_by("pk")[:PUBLISH_BATCH]:
        taken = OutboxMessage.objects.filter(due, pk=message.pk).update(attempted_at=now)
        if taken and publish(message):
            published += 1
        elif taken:
            break  # the broker is still down: the next run tries again
    return published


def forget_published(now=None):
    """Delete messages published more than a day ago: the broker has had them."""
    now = now or timezone.now()
    deleted, _ = OutboxMessage.objects.filter(published_at__lt=now - dt.timedelta(days=1)).delete()
    return deleted


@contextlib.contextmanager
def once(task_id):
    """For a task that must not act twice on one outbox message: yields False if a previous
    delivery already finished it. The row stays locked while the task works, so a second
    delivery waits and then sees it done; a worker killed mid-task rolls the mark back."""
    if not task_id or not task_id.startswith(TASK_ID_PREFIX):
        yield True
        return
    pk = int(task_id.removeprefix(TASK_ID_PREFIX))
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().filter(pk=pk).first()
        if message is None or message.done_at is not None:
            yield False
            return
        yield True
        OutboxMessage.objects.filter(pk=pk).update(done_at=timezone.now())
