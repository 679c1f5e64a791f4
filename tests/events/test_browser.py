"""The event page with its registration form, and the confirmation page, in headless Chromium:
no WCAG 2.2 AA violations found by axe, and registering works without JavaScript."""

import pytest
from playwright.sync_api import expect

from tests.accessibility import assert_no_violations
from tests.browser.conftest import browser, page  # noqa: F401 - fixtures

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def event(make_event):
    from events.models import EventQuestion

    event = make_event(title="Hearing the child", capacity=1)
    EventQuestion.objects.create(page=event, label="Do you have any access needs?")
    EventQuestion.objects.create(
        page=event, label="Will you stay for lunch?", kind=EventQuestion.Kind.YES_NO
    )
    return event


def test_event_page_and_its_errors_are_accessible(event, live_server, page):  # noqa: F811
    page.goto(live_server.url + event.url)
    assert page.get_by_role("heading", name="Register").is_visible()
    assert_no_violations(page)
    page.get_by_role("button", name="Register").click()
    assert page.locator(".govuk-error-summary").is_visible()
    assert_no_violations(page)


def test_registering_without_javascript_reaches_an_accessible_confirmation(
    event,
    live_server,
    browser,  # noqa: F811
):
    context = browser.new_context(java_script_enabled=False)
    tab = context.new_page()
    tab.goto(live_server.url + event.url)
    tab.get_by_label("Full name").fill("Sam Officer")
    tab.get_by_label("Email address").fill("sam@avon.police.uk")
    tab.get_by_label("Organisation", exact=True).select_option(
        label="Avon and Somerset Constabulary"
    )
    tab.get_by_label("Role").select_option(label="Response officer")
    tab.get_by_label("Do you have any access needs?").fill("Step-free access")
    tab.get_by_role("group", name="Will you stay for lunch?").get_by_label("Yes").check()
    tab.get_by_role("button", name="Register").click()
    assert tab.get_by_role("heading", name="Check your email").is_visible()
    received = tab.url
    context.close()

    tab = browser.new_context().new_page()
    from events.models import Registration

    registration = Registration.objects.get()
    assert registration.status == "confirmed"
    assert registration.answers[1] == {"question": "Will you stay for lunch?", "answer": "yes"}
    tab.goto(received)
    assert_no_violations(tab)
    tab.goto(live_server.url + registration.manage_path())
    assert_no_violations(tab)


def test_confirming_a_police_only_registration_is_accessible(make_event, book, live_server, page):  # noqa: F811
    from events.models import EventPage

    event = make_event(title="Covert tactics", access=EventPage.Access.POLICE)
    registration = book(event, email="officer@avon.police.uk")
    page.goto(live_server.url + registration.manage_path())
    assert page.get_by_role("heading", name="Confirm your email address").is_visible()
    assert_no_violations(page)
    page.get_by_role("button", name="Confirm my registration").click()
    assert page.get_by_text("Your email address is confirmed").is_visible()
    assert_no_violations(page)


@pytest.fixture
def registration(event, book):
    # Made before the browser starts (its fixture runs an event loop in this thread).
    return book(event, email="sam@avon.police.uk")


def test_changing_answers_from_the_emailed_link_is_accessible_and_works_without_javascript(
    registration,
    live_server,
    browser,  # noqa: F811
):
    url = live_server.url + registration.manage_path()
    context = browser.new_context()
    tab = context.new_page()
    tab.goto(url)
    assert_no_violations(tab)
    tab.get_by_label("Full name").fill("")
    tab.get_by_role("button", name="Save my answers").click()
    assert tab.locator(".govuk-error-summary").is_visible()
    assert_no_violations(tab)
    context.close()

    # axe needs JavaScript; the form itself does not.
    context = browser.new_context(java_script_enabled=False)
    tab = context.new_page()
    tab.goto(url)
    tab.get_by_label("Full name").fill("Sam Officer")
    tab.get_by_label("Do you have any access needs?").fill("Step-free access")
    tab.get_by_role("button", name="Save my answers").click()
    assert tab.get_by_text("Your answers are saved").is_visible()
    context.close()
    registration.refresh_from_db()
    assert registration.name == "Sam Officer"
    assert registration.answers[0]["answer"] == "Step-free access"


@pytest.mark.parametrize("width", [1280, 375])
def test_registration_errors_take_focus_where_the_reader_is(
    event,
    live_server,
    browser,  # noqa: F811
    width,
):
    """The form posts to #register, so the browser lands on the form: the error summary must
    be there, in view, and focused (GOV.UK error summary), so a screen reader announces it."""
    context = browser.new_context(viewport={"width": width, "height": 700})
    tab = context.new_page()
    tab.goto(live_server.url + event.url)
    tab.get_by_role("button", name="Register").click()
    summary = tab.locator(".govuk-error-summary")
    summary.wait_for()
    expect(tab.locator(".govuk-error-summary")).to_be_focused(timeout=10_000)
    assert tab.url.endswith("#register")
    box = summary.bounding_box()
    assert 0 <= box["y"] < 700, box
    # Its first link moves to the field.
    summary.get_by_role("link").first.click()
    expect(tab.locator("#register-name")).to_be_focused()
    assert_no_violations(tab)
    context.close()
