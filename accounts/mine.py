"""One place for a person's own things: their submissions with moderation status, event
registrations and email subscriptions (found by their verified addresses), and all of it as a
download."""

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from wagtail.models import WorkflowState

from events.models import Registration
from newsletters.models import Subscriber
from practice.models import PracticePage

from . import membership


def addresses(user):
    """Only verified addresses: an account's unverified or blank email (one made in the admin,
    say) must not open someone else's registrations, nor every anonymised one."""
    return [e.lower() for e in membership.verified_addresses(user)]


def submissions(user):
    pages = list(PracticePage.objects.filter(owner=user).order_by("-first_published_at", "-pk"))
    states = {
        int(state.object_id): state
        for state in WorkflowState.objects.filter(
            base_content_type__model="page", object_id__in=[str(p.pk) for p in pages]
        ).order_by("created_at")
    }
    return [(page, status_of(page, states.get(page.pk))) for page in pages]


def status_of(page, state):
    if page.live:
        return "Published"
    if state is None:
        return "Draft"
    return {
        WorkflowState.STATUS_IN_PROGRESS: "Waiting for review",
        WorkflowState.STATUS_NEEDS_CHANGES: "Changes requested",
        WorkflowState.STATUS_CANCELLED: "Not published",
        WorkflowState.STATUS_APPROVED: "Approved",
    }.get(state.status, "Draft")


def registrations(user):
    return list(
        Registration.objects.filter(email__in=addresses(user))
        .select_related("event")
        .order_by("-event__start")
    )


def subscriptions(user):
    return list(Subscriber.objects.filter(email__in=addresses(user)))


def export(user):
    """Everything the portal keeps about the account, as data."""
    m = getattr(user, "organisation_membership", None)
    return {
        "account": {
            "email": user.email,
            "name": user.get_full_name(),
            "joined": user.date_joined.isoformat(),
            "last_sign_in": user.last_login.isoformat() if user.last_login else None,
        },
        "email_addresses": [
            {"email": e.email, "verified": e.verified, "primary": e.primary}
            for e in EmailAddress.objects.filter(user=user)
        ],
        "membership": m
        and {
            "organisation": m.organisation_name,
            "basis": m.get_basis_display(),
            "last_confirmed": m.verified_at.isoformat() if m.verified_at else None,
        },
        # What each second factor is and when it was used; never its secret.
        "two_factor": [
            {
                "type": a.get_type_display(),
                "added": a.created_at.isoformat(),
                "last_used": a.last_used_at.isoformat() if a.last_used_at else None,
            }
            for a in Authenticator.objects.filter(user=user).order_by("created_at")
        ],
        "single_sign_on": [
            {
                "provider": s.provider,
                "identifier": s.uid,
                "details": s.extra_data,
                "joined": s.date_joined.isoformat(),
                "last_sign_in": s.last_login.isoformat(),
            }
            for s in SocialAccount.objects.filter(user=user).order_by("pk")
        ],
        "access_requests": [
            {"reason": r.reason, "status": r.status, "asked": r.created_at.isoformat()}
            for r in user.access_requests.all()
        ],
        "submissions": [{"title": p.title, "status": s} for p, s in submissions(user)],
        "event_registrations": [
            {"event": r.event.title, "status": r.status, "name": r.name}
            for r in registrations(user)
        ],
        "subscriptions": [{"email": s.email, "status": s.status} for s in subscriptions(user)],
    }
