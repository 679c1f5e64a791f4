"""The Wagtail admin pages this project configures, in headless Chromium with axe-core: no
violation in what we add (our views, templates and panels). Wagtail's own findings are listed
in WAGTAIL_UPSTREAM, each named by rule and element, so a new one of ours still fails and a
fixed upstream one is noticed; they are reported upstream rather than patched here."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import User

from newsletters.models import NewsletterIssue

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "an-admin-password-for-tests"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture
def admin_user(db):
    return User.objects.create_superuser("ncpi-admin", "admin@ncpi.example", PASSWORD)


def sign_in(page, live_server):
    page.goto(live_server.url + "/admin/login/")
    page.get_by_label("Username").fill("ncpi-admin")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server.url + "/admin/")


def findings(page):
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_AA}})
    return [
        (v["id"], " ".join(str(t) for t in node["target"]), node.get("html", "")[:160])
        for v in results.response["violations"]
        for node in v["nodes"]
    ]


def test_explore_admin(admin_user, make_practice, make_event, live_server, page):
    practice = make_practice(title="Link officers")
    event = make_event(title="Hearing the child")
    issue = NewsletterIssue.objects.create(title="March newsletter", body=[])
    sign_in(page, live_server)
    urls = [
        f"/admin/newsletters/issues/{issue.pk}/send/",
        "/admin/newsletters/mailings/paused/",
        f"/admin/events/{event.pk}/registrations/",
        f"/admin/events/{event.pk}/attendance/",
        f"/admin/events/{event.pk}/email/",
        "/admin/reports/search/",
        "/admin/snippets/newsletters/newsletterissue/add/",
        f"/admin/snippets/newsletters/newsletterissue/edit/{issue.pk}/",
        "/admin/snippets/taxonomy/organisationmembership/add/",
        f"/admin/pages/{practice.pk}/edit/",
        f"/admin/pages/{event.pk}/edit/",
    ]
    report = []
    for url in urls:
        response = page.goto(live_server.url + url)
        report.append(f"== {url} {response.status}")
        report += [f"   {f}" for f in findings(page)]
    page.goto(live_server.url + f"/admin/newsletters/issues/{issue.pk}/send/")
    page.get_by_role("button", name="Send now", exact=False).click()
    page.wait_for_load_state()
    report.append("== after send: " + str(page.get_by_text("is being sent").count()))
    report += [f"   {f}" for f in findings(page)]
    raise AssertionError("\n".join(report))
