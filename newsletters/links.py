"""Signed links in emails: confirm a sign-up, manage preferences, unsubscribe.

Each link signs the subscriber's id and secret token with its own salt, so one kind of link
cannot stand in for another; erasing a subscriber rotates the token, killing every old link.
Confirmation links expire (NEWSLETTERS_CONFIRM_MAX_AGE), and so do manage links
(NEWSLETTERS_MANAGE_MAX_AGE), which open the subscriber's data: an email forwarded to a
colleague does not open it for ever. Unsubscribe links never expire, because people unsubscribe
from emails that are months old, and all they can do is stop mail."""

from django.conf import settings
from django.core import signing
from django.urls import reverse

from portal.links import public_url

from .models import Subscriber

CONFIRM_SALT = "newsletters.confirm"
MANAGE_SALT = "newsletters.manage"
UNSUBSCRIBE_SALT = "newsletters.unsubscribe"


def make_token(subscriber, salt):
    return signing.dumps([subscriber.pk, subscriber.token], salt=salt, compress=True)


def subscriber_from_token(value, salt, max_age=None):
    """The subscriber a link was made for, or None when it is forged, expired or stale."""
    try:
        pk, token = signing.loads(value, salt=salt, max_age=max_age)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return Subscriber.objects.filter(pk=pk, token=token).first()


def read_manage_token(value):
    """(subscriber, expired) for a manage link: the subscriber only while the link is fresh."""
    try:
        pk, token = signing.loads(
            value, salt=MANAGE_SALT, max_age=settings.NEWSLETTERS_MANAGE_MAX_AGE
        )
    except signing.SignatureExpired:
        return None, True
    except (signing.BadSignature, ValueError, TypeError):
        return None, False
    return Subscriber.objects.filter(pk=pk, token=token).first(), False


def confirm_url(subscriber):
    return public_url(reverse("newsletters:confirm", args=[make_token(subscriber, CONFIRM_SALT)]))


def manage_url(subscriber):
    return public_url(reverse("newsletters:manage", args=[make_token(subscriber, MANAGE_SALT)]))


def unsubscribe_url(subscriber):
    return public_url(
        reverse("newsletters:unsubscribe", args=[make_token(subscriber, UNSUBSCRIBE_SALT)])
    )


class Links:
    """Manage and unsubscribe links for many subscribers (a chunk of emails): each URL pattern
    is reversed once, and only the signed token differs per subscriber."""

    _TOKEN = "spe-token-placeholder"  # noqa: S105 - a placeholder, not a secret

    def __init__(self):
        self._manage = public_url(reverse("newsletters:manage", args=[self._TOKEN]))
        self._unsubscribe = public_url(reverse("newsletters:unsubscribe", args=[self._TOKEN]))

    def manage_url(self, subscriber):
        return self._manage.replace(self._TOKEN, make_token(subscriber, MANAGE_SALT))

    def unsubscribe_url(self, subscriber):
        return self._unsubscribe.replace(self._TOKEN, make_token(subscriber, UNSUBSCRIBE_SALT))
