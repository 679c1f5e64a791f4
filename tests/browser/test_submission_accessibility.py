"""The practice submission form, the form for changes the NCPI team asked for, and the sign-in
page in headless Chromium: no WCAG 2.2 AA violations (axe-core), no console errors (nothing
blocked by the CSP), errors announced."""

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.test import Client

from practice.forms import PracticeSubmissionForm
from practice.models import PracticeIndexPage
from practice.submission import create_submission
from taxonomy.models import Criterion, Organisation, OrganisationMembership
from tests.accessibility import assert_no_violations

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def force_session(practice_index):
    """A signed-in force officer's session cookie value (made before the live server starts)."""
    user = User.objects.create_user("officer", email="officer@example.police.uk")
    OrganisationMembership.objects.create(
        user=user, organisation=Organisation.objects.get(slug="avon-and-somerset-constabulary")
    )
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def open_signed_in(page, live_server, session, path):
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
    )
    return page.goto(live_server.url + path)


def test_submission_form_has_no_accessibility_violations(force_session, live_server, page):
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    response = open_signed_in(page, live_server, force_session, "/practice/submit/")
    assert response.status == 200
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", name="Submit a case study").is_visible()
    assert errors == []
    assert "govuk-frontend-supported" in page.locator("body").get_attribute("class")
    assert_no_violations(page)


def test_submission_form_errors_are_accessible(force_session, live_server, page):
    open_signed_in(page, live_server, force_session, "/practice/submit/")
    page.get_by_role("button", name="Submit for review").click()
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible()
    # The summary's links lead to the fields: following one focuses the title input.
    summary.get_by_role("link", name="Enter a title").click()
    assert page.evaluate("document.activeElement.id") == "title"
    assert_no_violations(page)


@pytest.fixture
def sent_back(force_session):
    """A case study the officer submitted and the NCPI team sent back with a comment."""
    officer = User.objects.get(username="officer")
    form = PracticeSubmissionForm(
        {
            "title": "Joint visits with social workers",
            "summary": "Officers and social workers visit together.",
            "criteria": [Criterion.objects.first().pk],
            "problem": "Families were visited twice.",
            "approach": "One visit, together.",
            "outcomes": "Fewer visits.",
            "outcome": "promising",
            "stage": "untested",
            "contact_role": "Inspector",
            "contact_email": "inspector@example.police.uk",
        }
    )
    assert form.is_valid(), form.errors
    submission = create_submission(
        form.cleaned_data, officer.organisation_membership.organisation, officer,
        PracticeIndexPage.objects.get(),
    )  # fmt: skip
    moderator = User.objects.create_user("moderator", email="moderator@example.gov.uk")
    moderator.groups.add(Group.objects.get(name="Moderators"))
    task_state = submission.current_workflow_state.current_task_state
    task_state.task.specific.on_action(task_state, moderator, "reject", comment="Add figures.")
    return submission


def test_changes_form_from_the_account_page_has_no_accessibility_violations(
    force_session, sent_back, live_server, page
):
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    open_signed_in(page, live_server, force_session, "/account/")
    assert_no_violations(page)
    page.get_by_role("link", name="Make changes to Joint visits with social workers").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", name="Change your case study").is_visible()
    assert page.get_by_text("Add figures.").is_visible()
    assert errors == []
    assert_no_violations(page)

    page.locator("#title").fill("")
    page.get_by_role("button", name="Send for review again").click()
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible()
    summary.get_by_role("link", name="Enter a title").click()
    assert page.evaluate("document.activeElement.id") == "title"
    assert_no_violations(page)


def test_sign_in_page_has_no_accessibility_violations(practice_index, live_server, page):
    response = page.goto(live_server.url + "/practice/submit/")
    # Signed out, the form sends visitors to sign in first.
    assert response.status == 200
    assert page.url.startswith(live_server.url + "/account/login/")
    assert_no_violations(page)
    page.get_by_role("button", name="Sign in").click()
    assert page.locator(".govuk-error-summary").is_visible()
    assert_no_violations(page)
