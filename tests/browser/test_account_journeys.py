"""Signing up in headless Chromium: from the header's "Create an account" to a confirmed force
membership, the link read out of the real email; every page axe-clean (WCAG 2.2 AA)."""

import re

import pytest

from taxonomy.models import Organisation
from tests.browser.test_register_accessibility import assert_no_violations
from tests.newsletters.conftest import eager_celery  # noqa: F401 - allauth emails via the outbox

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    # allauth's emails go through the outbox; its task runs in the live server's thread.
    pytest.mark.usefixtures("eager_celery"),
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


def test_the_ncpi_team_sets_up_two_factor_before_using_the_admin(live_server, page, settings):
    import pyotp
    from allauth.account.models import EmailAddress
    from django.contrib.auth.models import Permission, User

    settings.ACCOUNTS_ADMIN_REQUIRES_SECOND_FACTOR = True
    editor = User.objects.create_user("editor", "editor@ncpi.example", PASSWORD)
    EmailAddress.objects.create(user=editor, email=editor.email, verified=True, primary=True)
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))

    page.goto(live_server.url + "/admin/")
    # The admin's sign-in leads to the portal's.
    assert "/account/login/" in page.url
    page.get_by_label("Email").fill("editor@ncpi.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    # Changing authenticators asks for the password again.
    page.wait_for_url("**/account/reauthenticate/**")
    assert_no_violations(page)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()

    page.wait_for_url("**/account/2fa/totp/activate/**")
    assert page.get_by_text("Set up two-factor authentication").first.is_visible()
    assert_no_violations(page)
    secret = page.locator("#authenticator_secret").input_value()
    page.get_by_label("Authenticator code").fill("000000")
    page.get_by_role("button", name="Activate").click()
    assert page.locator(".govuk-error-summary").is_visible()
    assert_no_violations(page)
    page.get_by_label("Authenticator code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Activate").click()

    page.wait_for_url("**/account/2fa/recovery-codes/**")
    assert page.get_by_role("heading", name="Recovery Codes").first.is_visible()
    assert_no_violations(page)

    response = page.goto(live_server.url + "/admin/")
    assert response.status == 200
    assert "/admin/" in page.url and "/account/" not in page.url
