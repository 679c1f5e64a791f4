from axes.helpers import get_cool_off
from django.conf import settings
from django.shortcuts import render
from django.template.response import TemplateResponse

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


def in_words(days):
    """A retention period as the privacy notice says it: "12 months", "4 weeks", "90 days"."""
    if days % 365 == 0:
        return f"{days // 365 * 12} months"
    if days % 7 == 0 and days > 7:
        return f"{days // 7} weeks"
    return f"{days} day{'' if days == 1 else 's'}"


def privacy_notice(request):
    """The privacy notice, with every period read from the settings that enforce it."""
    context = {
        "ncpi_email": settings.NCPI_TEAM_EMAIL,
        "confirm_within": in_words(settings.NEWSLETTERS_CONFIRM_MAX_AGE // (24 * 60 * 60)),
        "unsubscribed_kept": in_words(settings.NEWSLETTERS_ERASE_AFTER_DAYS),
        "registrations_kept": in_words(settings.EVENTS_ANONYMISE_AFTER_DAYS),
        "contact_messages_kept": in_words(settings.PRACTICE_CONTACT_MESSAGES_KEEP_DAYS),
        "searches_kept": in_words(settings.SEARCH_LOG_KEEP_DAYS),
    }
    return TemplateResponse(request, "portal/privacy.html", context)
