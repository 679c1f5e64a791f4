"""Account data is kept no longer than the privacy notice says: records of wrong passwords
past the lockout, and held emails whose links have expired, are deleted by beat's jobs, not
only when someone next signs in."""

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.utils import timezone

from accounts import emails, tasks
from accounts.models import HeldEmail

pytestmark = pytest.mark.django_db


def attempt(when, ip_address):
    record = AccessAttempt.objects.create(
        username="sam@kent.police.uk",
        ip_address=ip_address,
        user_agent="Firefox",
        failures_since_start=1,
    )
    AccessAttempt.objects.filter(pk=record.pk).update(attempt_time=when)
    return record


def test_wrong_passwords_past_the_lockout_are_deleted(settings):
    now = timezone.now()
    old = attempt(now - settings.AXES_COOLOFF_TIME - dt.timedelta(minutes=1), "192.0.2.1")
    recent = attempt(now - dt.timedelta(minutes=1), "192.0.2.2")

    assert tasks.forget_expired_lockouts() == 1

    assert list(AccessAttempt.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not AccessAttempt.objects.filter(pk=old.pk).exists()
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"accounts.tasks.forget_expired_lockouts", "accounts.tasks.forget_unsent_emails"} <= (
        scheduled
    )


def test_held_emails_are_deleted_once_their_links_have_expired():
    stale = HeldEmail.objects.create(to=["a@example.org"], subject="Old", body="link")
    HeldEmail.objects.filter(pk=stale.pk).update(
        created_at=timezone.now() - emails.links_last() - dt.timedelta(minutes=1)
    )
    fresh = HeldEmail.objects.create(to=["b@example.org"], subject="New", body="link")
    assert tasks.forget_unsent_emails() == 1
    assert list(HeldEmail.objects.values_list("pk", flat=True)) == [fresh.pk]
