"""Every public page at a desktop width and 375 px wide (a small phone) in headless Chromium: no
axe violation, nothing wider than the screen; the service navigation folds behind a Menu button
on a phone (and shows without JavaScript); the phase banner's feedback link reaches a working
feedback page."""

import pytest
from playwright.sync_api import expect

from tests.accessibility import assert_no_violations

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WIDTHS = [1280, 375]


@pytest.fixture
def content(make_practice, make_event, practice_index, event_index):
    return {
        "practice": make_practice(title="Link officers for children's homes"),
        "other": make_practice(title="Night patrols", outcome="did-not-work"),
        "event": make_event(title="Hearing the child"),
        "practice_index": practice_index,
        "event_index": event_index,
    }


def wider_than_screen(page):
    return page.evaluate(
        """() => {
            const width = document.documentElement.clientWidth;
            return [...document.querySelectorAll('body *')]
                .filter((el) => el.getClientRects().length)
                .filter((el) => el.getBoundingClientRect().right > width + 1)
                .slice(0, 5)
                .map((el) => el.outerHTML.slice(0, 120));
        }"""
    )


def urls(content):
    return [
        "/",
        content["practice_index"].url,
        content["practice_index"].url + "?outcome=did-not-work&sort=most-viewed",
        content["practice"].url,
        "/search/?q=link+officers",
        "/search/?q=lnik",
        content["event_index"].url,
        content["event"].url,
        "/recommendations/",
        "/forces/",
        "/glossary/",
        "/newsletters/subscribe/",
        "/privacy/",
        "/accessibility/",
        "/feedback/",
    ]


@pytest.mark.parametrize("width", WIDTHS)
def test_public_pages_are_axe_clean_and_fit_the_screen(content, live_server, browser, width):
    from search import index

    for page_obj in (content["practice"], content["other"]):
        index.update(page_obj.pk)
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    for url in urls(content):
        response = page.goto(live_server.url + url)
        assert response.status == 200, url
        assert wider_than_screen(page) == [], (url, width)
        assert_no_violations(page)
    context.close()


def test_service_navigation_folds_behind_a_menu_button_on_a_phone(content, live_server, browser):
    context = browser.new_context(viewport={"width": 375, "height": 800})
    page = context.new_page()
    page.goto(live_server.url + "/")
    menu = page.get_by_role("button", name="Menu")
    links = page.locator("#navigation")
    assert menu.is_visible() and not links.is_visible()
    assert menu.get_attribute("aria-expanded") == "false"
    menu.click()
    assert links.is_visible() and menu.get_attribute("aria-expanded") == "true"
    assert page.locator("#navigation").get_by_role("link", name="Events").is_visible()
    assert_no_violations(page)
    context.close()

    # On a desktop the links show and the button does not.
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(live_server.url + "/")
    assert page.locator("#navigation").is_visible()
    assert not page.get_by_role("button", name="Menu").is_visible()
    context.close()

    # Without JavaScript the links show at any width.
    context = browser.new_context(
        viewport={"width": 375, "height": 800}, java_script_enabled=False
    )
    page = context.new_page()
    page.goto(live_server.url + "/")
    assert page.locator("#navigation").is_visible()
    assert page.get_by_role("link", name="Practice").first.is_visible()
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_phase_banner_feedback_reaches_the_ncpi_team(content, live_server, browser, width):
    from feedback.models import FeedbackMessage

    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(live_server.url + content["practice"].url)
    page.locator(".govuk-phase-banner").get_by_role("link", name="feedback").click()
    assert page.get_by_role("heading", name="Give feedback").is_visible()
    page.get_by_role("button", name="Send feedback").click()
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible()
    expect(page.locator(".govuk-error-summary")).to_be_focused(timeout=10_000)
    assert_no_violations(page)
    page.get_by_label("What would you like to tell us?").fill("Please add a print button.")
    page.get_by_role("button", name="Send feedback").click()
    assert page.get_by_role("heading", name="Feedback sent").is_visible()
    feedback = FeedbackMessage.objects.get()
    assert feedback.page == content["practice"].url
    context.close()


def test_accessibility_statement_has_a_preparation_date_and_a_way_to_report(
    content, live_server, page
):
    page.goto(live_server.url + "/accessibility/")
    prepared = page.locator("#prepared")
    assert "This statement was prepared on" in prepared.inner_text()
    assert prepared.locator("time").first.get_attribute("datetime")
    page.get_by_role("link", name="tell us through the feedback page").click()
    assert page.get_by_role("heading", name="Give feedback").is_visible()
