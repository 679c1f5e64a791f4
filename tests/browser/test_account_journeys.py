"""Signing up in headless Chromium: from the header's "Create an account" to a confirmed force
membership, the link read out of the real email; every page axe-clean (WCAG 2.2 AA)."""

import re

import pytest

from taxonomy.models import Organisation
from tests.browser.test_register_accessibility import assert_no_violations

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "a-long-work-passphrase-42"


@pytest.fixture
def kent(db):
    force = Organisation.objects.get(slug="kent-police")
    force.email_domains = "kent.police.uk"
    force.save()
    return force


@pytest.fixture(autouse=True)
def clean_cache(redis_available):
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def link_in(sink, count, path_part):
    _, message = sink.wait_for(count)[count - 1]
    body = message.get_body(preferencelist=("plain",)).get_content()
    (link,) = [u for u in re.findall(r"https?://[^\s>\"]+", body) if path_part in u]
    return link


def test_signing_up_with_a_force_address(kent, sink, live_server, page, home_page):
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Create an account").click()
    assert page.get_by_role("heading", name="Create an account", level=1).is_visible()
    assert_no_violations(page)

    # A mistake first: the error summary and the field say what is wrong.
    page.get_by_label("Email").fill("not an address")
    page.get_by_role("button", name="Create account").click()
    assert page.locator(".govuk-error-summary").is_visible()
    assert_no_violations(page)

    page.get_by_label("Email").fill("sam.officer@kent.police.uk")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    assert page.get_by_role("heading", name="Verify Your Email Address").is_visible()
    assert_no_violations(page)

    link = link_in(sink, 1, "/account/confirm-email/")
    page.goto(link.replace("http://testserver", live_server.url))
    assert_no_violations(page)
    page.get_by_role("button", name="Confirm").click()

    assert page.get_by_role("heading", name="Your account").is_visible()
    assert page.get_by_text("Kent Police").is_visible()
    assert page.get_by_text("You can see them").is_visible()
    assert_no_violations(page)


def test_the_sign_in_page_says_how_to_get_an_account(live_server, page, home_page):
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Sign in").click()
    assert page.get_by_role("heading", name="Sign in", level=1).is_visible()
    assert page.get_by_role("link", name="Create an account").first.is_visible()
    assert page.get_by_text("Who can have an account").is_visible()
    assert_no_violations(page)
    page.get_by_role("button", name="Sign in").click()
    assert page.locator(".govuk-error-summary").is_visible()
    assert_no_violations(page)
