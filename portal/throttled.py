"""Wagtail's views that check a shared password or send an email, behind rate limits.

portal/urls.py mounts these at Wagtail's own paths, ahead of Wagtail's URLs. Sign-in forms are
not here: django-axes locks out repeated wrong passwords wherever Django authenticates
(AXES_* in portal/settings/base.py).
"""

from wagtail import views as page_views
from wagtail.admin.views import account
from wagtail.documents.views import serve as document_views

from .ratelimits import limit_posts

# Each request emails a reset link: a few are enough for someone who lost the first email.
RESET_EMAIL_RATE_PER_ADDRESS = "5/h"
RESET_EMAIL_RATE_PER_ACCOUNT = "3/h"
# Wrong guesses at a shared page or document password (a right one is not counted), from one
# address and at one restriction from everywhere.
WRONG_GUESS_RATE_PER_ADDRESS = "10/h"
WRONG_GUESS_RATE_PER_RESTRICTION = "60/h"


def reset_email(group, request):
    # Django finds the account case-insensitively: count every spelling of the address as one.
    return request.POST.get("email", "").strip().lower()


def restriction(group, request):
    return "-".join(str(value) for value in request.resolver_match.kwargs.values())


def wrong_password(response):
    # A right password redirects to the page or document; a wrong one shows the form again.
    return response.status_code != 302


admin_password_reset = limit_posts(
    "admin-password-reset",
    {
        "address": ("ip", RESET_EMAIL_RATE_PER_ADDRESS),
        "email": (reset_email, RESET_EMAIL_RATE_PER_ACCOUNT),
    },
)(account.PasswordResetView.as_view())

_shared_password_limits = {
    "address": ("ip", WRONG_GUESS_RATE_PER_ADDRESS),
    "restriction": (restriction, WRONG_GUESS_RATE_PER_RESTRICTION),
}
page_password = limit_posts("page-password", _shared_password_limits, wrong_password)(
    page_views.authenticate_with_password
)
document_password = limit_posts("document-password", _shared_password_limits, wrong_password)(
    document_views.authenticate_with_password
)
