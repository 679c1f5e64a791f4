"""The outbox (portal/outbox.py): a task is recorded with the change that causes it, published
after the commit, and published by beat when the broker did not take it."""

import datetime as dt
from unittest import mock

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from newsletters.tasks import send_manage_link
from portal import outbox
from portal.models import OutboxMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def subscriber():
    from newsletters.models import Subscriber

    return Subscriber.objects.create(
        email="reader@example.org", organisation_type="force", status="active"
    )


def test_a_rolled_back_change_records_and_sends_nothing(subscriber):
    with pytest.raises(RuntimeError), transaction.atomic():
        outbox.send_after_commit(send_manage_link, subscriber.pk)
        raise RuntimeError("the change failed")
    assert not OutboxMessage.objects.exists()


def test_a_broker_that_is_down_leaves_the_message_for_beat(
    subscriber, django_capture_on_commit_callbacks
):
    refused = OperationalError("Error 111 connecting to the broker")
    with mock.patch.object(send_manage_link, "apply_async", side_effect=refused) as publish:
        with django_capture_on_commit_callbacks(execute=True):
            message = outbox.send_after_commit(send_manage_link, subscriber.pk)
    assert publish.call_count == 1
    message.refresh_from_db()
    assert message.published_at is None and message.attempted_at is None

    # Beat, with the broker still down: still waiting. Then with it back: published once.
    with mock.patch.object(send_manage_link, "apply_async", side_effect=refused):
        assert outbox.publish_pending() == 0
    with mock.patch.object(send_manage_link, "apply_async") as publish:
        assert outbox.publish_pending() == 1
        assert outbox.publish_pending() == 0
    publish.assert_called_once()
    assert publish.call_args.kwargs["task_id"] == f"outbox-{message.pk}"
    assert publish.call_args.kwargs["args"] == [subscriber.pk]


def test_beat_leaves_a_message_being_published_alone_until_its_process_looks_dead(subscriber):
    with mock.patch.object(send_manage_link, "apply_async") as publish:
        # Recorded, and its process died before publishing it (the test's transaction never
        # commits, so the on-commit publish never runs).
        message = outbox.send_after_commit(send_manage_link, subscriber.pk)
        assert outbox.publish_pending() == 0
        later = timezone.now() + outbox.retry_after() + dt.timedelta(seconds=1)
        assert outbox.publish_pending(now=later) == 1
    publish.assert_called_once()
    assert OutboxMessage.objects.get(pk=message.pk).published_at is not None


def test_a_message_delivered_twice_sends_one_email(subscriber):
    message = OutboxMessage.objects.create(
        task=send_manage_link.name, args=[subscriber.pk], published_at=timezone.now()
    )
    for _ in range(2):
        send_manage_link.apply(args=[subscriber.pk], task_id=f"outbox-{message.pk}")
    assert [m.to for m in mail.outbox] == [["reader@example.org"]]
