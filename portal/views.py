from axes.helpers import get_cool_off
from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from . import sitemap
from .links import public_url
from .ratelimits import too_many_requests

# Crawlers may read the sitemap again after an hour; it changes when pages are published.
SITEMAP_CACHE_SECONDS = 60 * 60


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


def in_minutes(period):
    minutes = max(1, int(period.total_seconds() // 60))
    return f"{minutes} minute{'' if minutes == 1 else 's'}"


def privacy_notice(request):
    """The privacy notice, with every period read from the settings that enforce it."""
    # Held account emails are deleted when the longer-lived of their links expires
    # (accounts.emails.links_last).
    account_email_days = max(
        settings.ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS,
        settings.PASSWORD_RESET_TIMEOUT // (24 * 60 * 60),
    )
    context = {
        "reconfirm_after": in_words(settings.ACCOUNTS_RECONFIRM_AFTER_DAYS),
        "reconfirm_within": in_words(settings.ACCOUNTS_RECONFIRM_GRACE_DAYS),
        "unconfirmed_kept": in_words(settings.ACCOUNTS_UNCONFIRMED_DAYS),
        "lockout_failures": settings.AXES_FAILURE_LIMIT,
        "lockout_kept": in_minutes(settings.AXES_COOLOFF_TIME),
        "sessions_kept": in_words(settings.SESSION_COOKIE_AGE // (24 * 60 * 60)),
        "account_emails_kept": in_words(account_email_days),
        "ncpi_email": settings.NCPI_TEAM_EMAIL,
        "confirm_within": in_words(settings.NEWSLETTERS_CONFIRM_MAX_AGE // (24 * 60 * 60)),
        "unsubscribed_kept": in_words(settings.NEWSLETTERS_ERASE_AFTER_DAYS),
        "registrations_kept": in_words(settings.EVENTS_ANONYMISE_AFTER_DAYS),
        "contact_messages_kept": in_words(settings.PRACTICE_CONTACT_MESSAGES_KEEP_DAYS),
        "searches_kept": in_words(settings.SEARCH_LOG_KEEP_DAYS),
        "feedback_kept": in_words(settings.FEEDBACK_MESSAGES_KEEP_DAYS),
    }
    return TemplateResponse(request, "portal/privacy.html", context)


def _xml(body):
    response = HttpResponse(body, content_type="application/xml; charset=utf-8")
    response["Cache-Control"] = f"public, max-age={SITEMAP_CACHE_SECONDS}"
    return response


@require_safe
def sitemap_index(request):
    static_count = len(sitemap.static_entries())
    return _xml(sitemap.index_xml(sitemap.index_entries(static_count)))


@require_safe
def sitemap_part(request, section, part):
    if part < 1:
        raise Http404("No such part")
    if section == sitemap.STATIC_SECTION:
        start = (part - 1) * sitemap.PART_SIZE
        entries = sitemap.static_entries()[start : start + sitemap.PART_SIZE]
        if not entries and part > 1:
            raise Http404("No such part")
        return _xml(sitemap.urlset_xml(entries))
    content_type = sitemap.section_content_type(section)
    if content_type is None:
        raise Http404("No such section")
    entries = sitemap.page_entries(content_type.pk, part)
    if not entries:
        raise Http404("No such part")
    return _xml(sitemap.urlset_xml(entries))


# Signed-link pages (registrations, newsletter preferences) are private to whoever holds the
# link; the admin, the API and machine-readable feeds are not pages for search engines.
ROBOTS_DISALLOW = [
    "/admin/",
    "/api/",
    "/event-registrations/",
    "/newsletters/confirm/",
    "/newsletters/manage/",
    "/newsletters/unsubscribe/",
    "/search/feed/",
    "/search/suggest/",
    "/account/",
]


@require_safe
def robots_txt(request):
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in ROBOTS_DISALLOW)]
    lines += ["", f"Sitemap: {public_url(reverse('sitemap'))}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
