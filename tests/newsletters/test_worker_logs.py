"""A real Celery worker's log keeps email addresses out: a refused recipient's address, which
the SMTP error names, is replaced by a marker in the retry line (portal/logs.py)."""

import time

import pytest
from django.utils import timezone

from newsletters.tasks import send_confirmation

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_retried_email_task_logs_no_address(start_worker, sink, make_subscriber, tmp_path):
    address = "jane.doe@kent.police.example"
    subscriber = make_subscriber(
        email=address, status="pending", confirmation_requested_at=timezone.now()
    )
    sink.handler.refuse = {address: (550, "No such user here")}
    start_worker()
    send_confirmation.delay(subscriber.pk)

    log_file = tmp_path / "worker0.log"
    deadline = time.monotonic() + 60
    while "Retry in" not in log_file.read_text(errors="replace"):
        assert time.monotonic() < deadline, log_file.read_text(errors="replace")
        time.sleep(0.1)
    log = log_file.read_text(errors="replace")
    retry = next(line for line in log.splitlines() if "Retry in" in line)
    assert "SMTPRecipientsRefused" in retry and "[email]" in retry
    assert "jane.doe" not in log and "kent.police" not in log
