"""Membership stays true: a membership vouched for by an address is re-confirmed by email every
year (people leave forces), and lapses if it is not, or if the address hard-bounces. Lapsing
takes police access and the membership; subscriptions and bookings stay."""

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import send_mail
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from portal.links import public_url
from taxonomy.models import OrganisationMembership

from . import membership

SALT = "accounts.reconfirm"


def token_for(m):
    return signing.dumps({"m": m.pk, "e": m.email}, salt=SALT)


def membership_from_token(token):
    """The membership a re-confirmation link is for, or None (bad, expired or stale link)."""
    try:
        data = signing.loads(
            token, salt=SALT, max_age=settings.ACCOUNTS_RECONFIRM_GRACE_DAYS * 86400
        )
    except (signing.BadSignature, TypeError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    return OrganisationMembership.objects.filter(pk=data.get("m"), email=data.get("e")).first()


def reconfirm(m):
    m.verified_at = timezone.now()
    m.save(update_fields=["verified_at"])


def due(now=None):
    """Memberships a year past their last confirmation (those set by hand have no date)."""
    now = now or timezone.now()
    year_ago = now - dt.timedelta(days=settings.ACCOUNTS_RECONFIRM_AFTER_DAYS)
    return OrganisationMembership.objects.filter(verified_at__lt=year_ago).exclude(email="")


def ask_to_reconfirm(now=None):
    """Email each membership that has come due, once (the link's date says which year)."""
    now = now or timezone.now()
    sent = 0
    for m in (
        due(now)
        .filter(Q(reconfirm_sent_at__isnull=True) | Q(reconfirm_sent_at__lt=F("verified_at")))
        .select_related("organisation")
    ):
        link = public_url(reverse("accounts:reconfirm", args=[token_for(m)]))
        context = {"membership": m, "link": link, "days": settings.ACCOUNTS_RECONFIRM_GRACE_DAYS}
        send_mail(
            f"Safeguarding Practice Exchange: do you still work for {m.works_for}?",
            render_to_string("accounts/email/reconfirm.txt", context),
            None,
            [m.email],
        )
        OrganisationMembership.objects.filter(pk=m.pk).update(reconfirm_sent_at=now)
        sent += 1
    return sent


def lapse_unconfirmed(now=None):
    """Take access from memberships asked to re-confirm and not re-confirmed in time."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.ACCOUNTS_RECONFIRM_GRACE_DAYS)
    lapsed = 0
    for m in due(now).filter(reconfirm_sent_at__lt=cutoff, reconfirm_sent_at__gt=F("verified_at")):
        membership.revoke_police_access(m.user)
        lapsed += 1
    return lapsed


def lapse_address(email):
    """An address that hard-bounced no longer vouches for anyone."""
    email = email.strip().lower()
    users = (
        get_user_model()
        .objects.filter(
            Q(organisation_membership__email__iexact=email)
            | Q(emailaddress__email__iexact=email, emailaddress__verified=True)
        )
        .distinct()
    )
    for user in users:
        membership.revoke_police_access(user)
    return len(users)
