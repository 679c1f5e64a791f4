"""The Wagtail admin under its own Content-Security-Policy, in headless Chromium: signing in,
the dashboard, the page editor with its preview panel and a newsletter's preview all work, and
the browser reports no CSP violation anywhere, framed previews included."""

import pytest
from django.contrib.auth.models import User

from newsletters.models import NewsletterIssue
from tests.browser.sessions import sign_in_as

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "an-admin-password-for-tests"
# Chromium reports a blocked script, style, frame or connection as a console error naming the
# Content Security Policy; the securitypolicyviolation event catches the rest (every frame).
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.top.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


@pytest.fixture
def admin_user(db):
    return User.objects.create_superuser("ncpi-admin", "admin@ncpi.example", PASSWORD)


@pytest.fixture
def watched_page(page):
    """The Playwright page, recording CSP violations reported by the browser."""
    console = []
    page.on(
        "console",
        lambda message: "Content Security Policy" in message.text and console.append(message.text),
    )
    page.add_init_script(RECORD_VIOLATIONS)
    page.csp_console = console
    return page


def violations(page):
    return page.csp_console + page.evaluate("window.__cspViolations")


def sign_in(page, live_server):
    sign_in_as(page, live_server, User.objects.get(username="ncpi-admin"))
    page.goto(live_server.url + "/admin/")
    page.wait_for_load_state("networkidle")


def open_preview_panel(page):
    page.locator('[data-side-panel-toggle="preview"]').click()
    frame = page.frame_locator("#w-preview-iframe")
    return frame


def test_dashboard_page_editor_and_preview_have_no_csp_violations(
    admin_user, make_practice, live_server, watched_page
):
    practice = make_practice(title="Link officers for children's homes")
    page = watched_page
    sign_in(page, live_server)
    assert page.title().startswith("Dashboard")
    # The sidebar is drawn by the admin's scripts: it is there only if they ran.
    page.locator("#wagtail-sidebar").get_by_role("button").first.wait_for()
    assert violations(page) == []

    page.goto(f"{live_server.url}/admin/pages/{practice.pk}/edit/")
    page.wait_for_load_state("networkidle")
    title = page.locator("#id_title")
    assert title.input_value() == "Link officers for children's homes"
    preview = open_preview_panel(page)
    preview.get_by_role("heading", name="Link officers for children's homes").wait_for()
    page.wait_for_load_state("networkidle")
    assert violations(page) == []

    # The public page, with Wagtail's user bar for the signed-in editor, under the site's policy.
    page.goto(live_server.url + practice.url)
    page.get_by_role("heading", name="Link officers for children's homes").wait_for()
    page.locator("wagtail-userbar").wait_for(state="attached")
    page.wait_for_load_state("networkidle")
    assert violations(page) == []


def test_newsletter_preview_has_no_csp_violations(admin_user, live_server, watched_page):
    issue = NewsletterIssue.objects.create(
        title="March newsletter",
        summary="Missing children and joint visits.",
        body=[("text", "<p>Read about new practice.</p>")],
    )
    page = watched_page
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/admin/snippets/newsletters/newsletterissue/edit/{issue.pk}/")
    page.wait_for_load_state("networkidle")
    preview = open_preview_panel(page)
    preview.get_by_text("Read about new practice.").wait_for()
    page.wait_for_load_state("networkidle")
    assert violations(page) == []
