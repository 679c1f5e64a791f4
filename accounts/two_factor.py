"""Whether a person has a second factor, and whether this session has used one."""

from allauth.account.internal.flows.login import get_authentication_records
from allauth.mfa.models import Authenticator

# Set when an authenticator is added in this session: setting one up proves the factor too.
SESSION_KEY = "accounts-second-factor-user"
SECOND_FACTORS = [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]


def has_second_factor(user):
    return Authenticator.objects.filter(user=user, type__in=SECOND_FACTORS).exists()


def used_second_factor(request):
    user = request.user
    if request.session.get(SESSION_KEY) == str(user.pk):
        return True
    return any(r.get("method") == "mfa" for r in get_authentication_records(request, user))


def mark_used(request, user):
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = str(user.pk)


def may_use_admin(user):
    return user.is_authenticated and user.has_perm("wagtailadmin.access_admin")
