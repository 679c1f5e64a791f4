"""Public pages in headless Chromium: axe-core finds no WCAG 2.2 AA violations, and the pages
work without JavaScript."""

import pytest

from tests.accessibility import assert_no_violations

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def content(make_practice, make_event, practice_index, event_index):
    return {
        "practice": make_practice(title="Link officers for children's homes"),
        "event": make_event(title="Hearing the child"),
        "practice_index": practice_index,
        "event_index": event_index,
    }


@pytest.mark.parametrize("which", ["home", "practice", "event", "practice_index", "event_index"])
def test_page_has_no_accessibility_violations(content, live_server, page, which):
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    url = "/" if which == "home" else content[which].url
    response = page.goto(live_server.url + url)
    assert response.status == 200
    page.wait_for_load_state("networkidle")
    # No console errors, e.g. a script or style blocked by the Content-Security-Policy.
    assert errors == []
    # GOV.UK Frontend's JavaScript ran (it marks the body once initialised).
    assert "govuk-frontend-supported" in page.locator("body").get_attribute("class")
    assert_no_violations(page)


def test_contact_form_errors_are_accessible(content, live_server, page):
    page.goto(live_server.url + content["practice"].url)
    page.get_by_role("button", name="Send message").click()
    assert page.locator(".govuk-error-summary").is_visible()
    assert_no_violations(page)


def test_listing_filters_work_without_javascript(content, live_server, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + content["practice_index"].url)
    # Filter groups are <details> elements, which open without JavaScript.
    page.locator("summary", has_text="NCPI criterion").click()
    page.get_by_label("Initial contact").check()
    page.get_by_role("button", name="Apply filters").click()
    assert "criterion=initial-contact" in page.url
    assert page.get_by_role("link", name="Link officers for children's homes").is_visible()
    context.close()
