"""The privacy notice and a registrant's data pages in headless Chromium: no WCAG 2.2 AA
violations (axe), and erasing works without JavaScript."""

import pytest

from events import booking
from events.models import Registration
from taxonomy.models import JobRole, Organisation
from tests.accessibility import assert_no_violations

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_the_privacy_notice_is_accessible(live_server, page):
    response = page.goto(live_server.url + "/privacy/")
    assert response.status == 200
    assert_no_violations(page)


def register(event, email):
    return booking.register(
        event,
        name="Sam Officer",
        email=email,
        organisation=Organisation.objects.get(slug="avon-and-somerset-constabulary"),
        role=JobRole.objects.get(slug="response-officer"),
    )


def erase_through_the_pages(page, base_url, registration, check=lambda page: None):
    page.goto(base_url + registration.manage_path())
    check(page)
    page.get_by_role("link", name="Erase your data now").click()
    assert "This also cancels your registration" in page.content()
    check(page)
    page.get_by_role("button", name="Erase my data").click()
    assert page.get_by_role("heading", name="Your data has been erased").is_visible()
    check(page)
    registration.refresh_from_db()
    assert registration.email is None
    assert registration.status == Registration.Status.CANCELLED


def test_a_registrants_data_pages_are_accessible(live_server, page, make_event):
    registration = register(make_event(title="Hearing the child"), "sam@avon.police.uk")
    erase_through_the_pages(page, live_server.url, registration, check=assert_no_violations)


def test_a_registrant_erases_their_data_without_javascript(live_server, browser, make_event):
    registration = register(make_event(title="Hearing the child"), "sam@avon.police.uk")
    # axe needs JavaScript, so this walk checks only that the pages work without it.
    context = browser.new_context(java_script_enabled=False)
    try:
        erase_through_the_pages(context.new_page(), live_server.url, registration)
    finally:
        context.close()
