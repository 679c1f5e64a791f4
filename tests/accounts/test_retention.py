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


def test_accounts_never_confirmed_are_deleted_after_the_period(settings, django_user_model):
    from allauth.account.models import EmailAddress
    from allauth.socialaccount.models import SocialAccount

    long_ago = timezone.now() - dt.timedelta(days=settings.ACCOUNTS_UNCONFIRMED_DAYS + 1)

    def account(username, verified=None, **fields):
        user = django_user_model.objects.create_user(username, f"{username}@example.org")
        django_user_model.objects.filter(pk=user.pk).update(date_joined=long_ago, **fields)
        if verified is not None:
            EmailAddress.objects.create(user=user, email=user.email, verified=verified)
        return user

    never_confirmed = account("never", verified=False)
    confirmed = account("confirmed", verified=True)
    made_in_the_admin = account("admin-made")
    staff = account("staff", verified=False, is_staff=True)
    single_sign_on = account("sso", verified=False)
    SocialAccount.objects.create(user=single_sign_on, provider="kent", uid="1")
    recent = django_user_model.objects.create_user("recent", "recent@example.org")
    EmailAddress.objects.create(user=recent, email=recent.email, verified=False)

    assert tasks.forget_unconfirmed_accounts() == 1

    assert not django_user_model.objects.filter(pk=never_confirmed.pk).exists()
    kept = {confirmed, made_in_the_admin, staff, single_sign_on, recent}
    assert set(django_user_model.objects.filter(pk__in=[u.pk for u in kept])) == kept
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "accounts.tasks.forget_unconfirmed_accounts" in scheduled
