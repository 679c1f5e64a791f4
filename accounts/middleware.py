"""Everyone who can reach the Wagtail admin uses a second factor there: someone without one is
sent to set up an authenticator app first, and a session that has not used one (a sign-in
before the factor existed, say) is asked for a code before the admin opens."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse

from . import two_factor

# Signing out needs no second factor.
EXEMPT_PATHS = ("/admin/logout/",)


class AdminTwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path
        if (
            settings.ACCOUNTS_ADMIN_REQUIRES_SECOND_FACTOR
            and path.startswith(settings.ADMIN_URL_PREFIX)
            and not path.startswith(EXEMPT_PATHS)
            and two_factor.may_use_admin(request.user)
        ):
            query = urlencode({"next": request.get_full_path()})
            if not two_factor.has_second_factor(request.user):
                messages.info(
                    request,
                    "Set up two-factor authentication to use the NCPI team's admin: "
                    "scan the code with an authenticator app, then enter the code it shows.",
                )
                return redirect(f"{reverse('mfa_activate_totp')}?{query}")
            if not two_factor.used_second_factor(request):
                return redirect(f"{reverse('mfa_reauthenticate')}?{query}")
        return self.get_response(request)
