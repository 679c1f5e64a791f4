"""Account data lasts as long as the privacy notice says: records of wrong passwords past the
lockout's cool-off (django-axes deletes them only when someone next signs in), and accounts
whose address was never confirmed. (Expired sessions are portal.tasks' job.)"""

import datetime as dt

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef
from django.utils import timezone


def forget_expired_lockouts(now=None):
    now = now or timezone.now()
    deleted, _ = AccessAttempt.objects.filter(
        attempt_time__lt=now - settings.AXES_COOLOFF_TIME
    ).delete()
    return deleted


def forget_unconfirmed_accounts(now=None):
    """Delete accounts signed up ACCOUNTS_UNCONFIRMED_DAYS ago or more whose address was never
    confirmed: such an account can do nothing, and its address may not even be its owner's.
    Accounts the NCPI team made in the admin (no allauth address at all), staff and single
    sign-on accounts are never touched."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.ACCOUNTS_UNCONFIRMED_DAYS)
    addresses = EmailAddress.objects.filter(user=OuterRef("pk"))
    unconfirmed = get_user_model().objects.filter(
        Exists(addresses),
        ~Exists(addresses.filter(verified=True)),
        ~Exists(SocialAccount.objects.filter(user=OuterRef("pk"))),
        is_staff=False,
        is_superuser=False,
        date_joined__lt=cutoff,
    )
    count = 0
    for user in unconfirmed:
        user.delete()
        count += 1
    return count
