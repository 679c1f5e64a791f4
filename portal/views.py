from axes.helpers import get_cool_off
from django.conf import settings
from django.shortcuts import render

from .ratelimits import too_many_requests


def rate_limited(request, exception):
    """Shown when someone sends a public form too often (django-ratelimit's RATELIMIT_VIEW)."""
    return too_many_requests(request)


def locked_out(request, original_response=None, credentials=None):
    """Shown instead of any sign-in page after too many wrong passwords for one account or from
    one address (django-axes' AXES_LOCKOUT_CALLABLE). Every further wrong attempt starts the
    wait again, so the wait is the whole cool-off period."""
    cool_off = get_cool_off(request)
    minutes = max(1, int(cool_off.total_seconds() // 60))
    context = {"minutes": minutes, "ncpi_email": settings.NCPI_TEAM_EMAIL}
    response = render(request, "portal/locked_out.html", context, status=429)
    response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response
