"""The privacy notice covers every kind of personal data the portal keeps, with the periods
the retention settings actually enforce."""

import re

import pytest
from django.urls import reverse

from portal.views import in_words

pytestmark = pytest.mark.django_db


def test_the_notice_says_what_is_kept_why_for_how_long_and_who_to_ask(client, settings):
    settings.NCPI_TEAM_EMAIL = "privacy@ncpi.example"
    settings.NEWSLETTERS_ERASE_AFTER_DAYS = 28
    settings.EVENTS_ANONYMISE_AFTER_DAYS = 365
    settings.PRACTICE_CONTACT_MESSAGES_KEEP_DAYS = 30
    settings.SEARCH_LOG_KEEP_DAYS = 60
    html = client.get("/privacy/").content.decode()
    for section in ("Newsletters and alerts", "Learning events", "Searching", "Technical logs"):
        assert f">{section}</h2>" in html
    assert "Contacting the people behind a case study" in html
    assert "feedback" in html
    assert 'href="mailto:privacy@ncpi.example"' in html
    assert "4 weeks after you unsubscribe from everything" in html
    assert "12 months after the event ends, we delete your name, email address" in html
    assert "We delete our copy 30 days after we have sent it" in html
    assert "We keep each search for 60 days" in html
    assert "download your information (as a JSON file) or erase it" in html


def section(html, heading):
    """The notice's section under the h2 `heading`, up to the next h2."""
    start = html.index(f">{heading}</h2>")
    end = html.find("<h2", start)
    return html[start : end if end != -1 else None]


def test_the_notice_says_what_an_account_keeps_why_how_long_and_how_to_get_it_or_delete_it(
    client, settings
):
    settings.ACCOUNTS_RECONFIRM_AFTER_DAYS = 365
    settings.ACCOUNTS_RECONFIRM_GRACE_DAYS = 28
    settings.SESSION_COOKIE_AGE = 14 * 24 * 60 * 60
    settings.ACCOUNTS_UNCONFIRMED_DAYS = 45
    html = client.get("/privacy/").content.decode()
    account = section(html, "Your account")
    headings = re.findall(r'<h3 class="govuk-heading-m">([^<]+)</h3>', account)
    assert headings == ["What we collect", "Why", "How long we keep it", "What you can do"]

    collected = account.split(">Why</h3>")[0].lower()
    for kept in (
        "email address",
        "verified",
        "name",
        "police force or partner organisation",
        "last verified",
        "two-factor",
        "wrong passwords",
        "session",
        "single sign-on",
    ):
        assert kept in collected, kept
    # The periods are the ones the code enforces: re-confirmation, the lockout, sessions.
    assert f"every {in_words(365)}" in account and in_words(28) in account
    lockout = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    assert f"{lockout} minutes" in account
    assert in_words(14) in account
    assert f"never confirm your email address, we delete the account {in_words(45)}" in account
    # The way to a download and deletion is the account page.
    assert f'href="{reverse("accounts:home")}"' in account
    assert "download your information" in account and "delete your account" in account
