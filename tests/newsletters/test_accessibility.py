"""The newsletters' public pages in headless Chromium: no WCAG 2.2 AA violations (axe), no
console errors (CSP), and they work without JavaScript."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from newsletters import links
from tests.accessibility import assert_no_violations

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def subscriber(make_subscriber, criterion):
    return make_subscriber(topics=[criterion, "events"])


def test_subscribe_with_errors_and_manage_pages_are_accessible(subscriber, live_server, page):
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto(f"{live_server.url}/newsletters/subscribe/")
    assert_no_violations(page)
    page.click("button:has-text('Subscribe')")  # nothing filled in: the error summary
    assert page.locator(".govuk-error-summary").is_visible()
    assert_no_violations(page)

    manage = links.make_token(subscriber, links.MANAGE_SALT)
    page.goto(f"{live_server.url}/newsletters/manage/{manage}/")
    assert page.locator("table.govuk-table").is_visible()
    assert_no_violations(page)
    unsubscribe = links.make_token(subscriber, links.UNSUBSCRIBE_SALT)
    page.goto(f"{live_server.url}/newsletters/unsubscribe/{unsubscribe}/")
    assert_no_violations(page)
    page.click("button:has-text('Unsubscribe')")
    assert page.locator("h1").inner_text() == "You have unsubscribed"
    assert_no_violations(page)

    with time_machine.travel(timezone.now() - dt.timedelta(days=31)):
        expired = links.make_token(subscriber, links.MANAGE_SALT)
    page.goto(f"{live_server.url}/newsletters/manage/{expired}/")
    assert page.locator("h1").inner_text() == "This link has expired"
    assert_no_violations(page)
    page.click("button:has-text('Email me a new link')")
    assert page.locator("h1").inner_text() == "Check your email"
    assert_no_violations(page)
    # The form with errors answers 400 and the expired link 410 on purpose, which Chromium
    # logs; nothing else may fail (a CSP violation would show here).
    assert [e for e in errors if "status of 400" not in e and "status of 410" not in e] == []


def test_subscribing_works_without_javascript(browser, live_server, db):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/newsletters/subscribe/")
    page.fill("#subscribe-email", "reader@force.police.example")
    page.check("#organisation_type-force")
    page.check("#criteria-initial-contact")
    page.check("#frequency-monthly")
    page.click("button:has-text('Subscribe')")
    assert page.locator("h1").inner_text() == "Check your email"
    context.close()
