"""The insight pages in headless Chromium: axe finds no WCAG 2.2 AA violations in what the
insight app draws (the whole page for the printable report, which is all ours), and the period
picker works without JavaScript."""

import pytest
from django.core.management import call_command

from tests.accessibility import assert_no_violations
from tests.browser.conftest import browser, page  # noqa: F401 - fixtures
from tests.browser.sessions import sign_in_as

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def rolled_up(dataset):
    call_command("rebuild_insight", days=150, verbosity=0)
    return dataset


def sign_in(page, live_server, user):  # noqa: F811
    sign_in_as(page, live_server, user)
    page.goto(live_server.url + "/admin/insight/")


def test_dashboard_coverage_and_report_have_no_violations(
    rolled_up,
    insight_user,
    live_server,
    page,  # noqa: F811
):
    sign_in(page, live_server, insight_user)
    page.get_by_role("heading", name="Reach", exact=True).wait_for()
    assert_no_violations(page, {"include": [[".insight"]]})

    page.goto(live_server.url + "/admin/insight/coverage/")
    assert_no_violations(page, {"include": [[".insight"]]})

    page.goto(live_server.url + "/admin/insight/coverage/kent-police/initial-contact/")
    assert_no_violations(page, {"include": [[".insight"]]})

    page.goto(live_server.url + "/admin/insight/report/")
    page.get_by_role(
        "heading", name="Headline indicators against the evaluation's baseline"
    ).wait_for()
    assert_no_violations(page)

    page.goto(live_server.url + "/admin/insight/?period=custom&start=2026-02-30&end=2026-03-01")
    page.get_by_role("alert").wait_for()
    assert_no_violations(page, {"include": [[".insight"]]})


def test_the_period_picker_works_without_javascript(
    rolled_up,
    insight_user,
    live_server,
    browser,  # noqa: F811
):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()  # noqa: F811
    sign_in(page, live_server, insight_user)
    page.get_by_role("radio", name="Custom dates").check()
    page.get_by_label("From (custom dates, like 2026-03-01)").fill("2026-01-01")
    page.get_by_label("To", exact=True).fill("2026-01-31")
    page.get_by_role("button", name="Show this period").click()
    page.get_by_text("1 January 2026 to 31 January 2026").wait_for()
    context.close()
