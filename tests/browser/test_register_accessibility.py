"""The recommendations register in headless Chromium: no WCAG 2.2 AA violations (axe), and its
filters work without JavaScript."""

import datetime as dt

import pytest

from tests.accessibility import assert_no_violations

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def register(home_page):
    """A report with an overdue, an in-progress and a completed recommendation."""
    from inspections.models import (
        InspectionIndexPage,
        InspectionReportPage,
        Recommendation,
        RecommendationStatusChange,
    )
    from taxonomy.models import Criterion, Organisation

    index = home_page.add_child(instance=InspectionIndexPage(title="Inspections"))
    index.save_revision().publish()
    report = InspectionReportPage(
        title="NCPI inspection of Avon and Somerset, 2024",
        force=Organisation.objects.get(slug="avon-and-somerset-constabulary"),
        programme="ncpi-inspection",
        published_date=dt.date(2024, 5, 2),
        summary="Referrals are late.",
    )
    index.add_child(instance=report)
    report.save_revision().publish()
    criterion = Criterion.objects.get(slug="assessment-and-help")
    for reference, status in [("R1", None), ("R2", "in-progress"), ("R3", "completed")]:
        rec = Recommendation(
            report=report,
            reference=reference,
            text=f"Recommendation {reference} about referrals.",
            criterion=criterion,
            owner=report.force,
            due_date=dt.date(2024, 11, 1),
        )
        if status:
            rec.status_changes = [
                RecommendationStatusChange(
                    status=status, changed_on=dt.date(2024, 9, 1), changed_by="Force lead"
                )
            ]
        rec.save()
    return report


@pytest.mark.parametrize(
    "url", ["/recommendations/", "/recommendations/?status=open&force=no-such-force"]
)
def test_register_has_no_accessibility_violations(register, live_server, page, url):
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    response = page.goto(live_server.url + url)
    assert response.status == 200
    page.wait_for_load_state("networkidle")
    assert errors == []
    assert "govuk-frontend-supported" in page.locator("body").get_attribute("class")
    assert_no_violations(page)


def test_recommendation_and_force_pages_have_no_accessibility_violations(
    register, live_server, page
):
    page.goto(live_server.url + "/recommendations/")
    page.get_by_role("link", name="R2: Recommendation R2 about referrals.").click()
    assert page.get_by_role("heading", name="Status history").is_visible()
    assert_no_violations(page)
    page.goto(live_server.url + "/forces/avon-and-somerset-constabulary/")
    assert_no_violations(page)
    page.goto(live_server.url + register.url)
    assert_no_violations(page)


def test_register_filters_and_csv_link_work_without_javascript(register, live_server, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/recommendations/")
    page.locator("summary", has_text="Status").click()
    page.get_by_label("In progress").check()
    page.get_by_role("button", name="Apply filters").click()
    assert "status=in-progress" in page.url
    assert page.get_by_role("heading", name="1 recommendation").is_visible()
    assert page.get_by_role("link", name="R2: Recommendation R2 about referrals.").is_visible()
    csv_link = page.get_by_role("link", name="Download these recommendations (CSV)")
    assert csv_link.get_attribute("href") == "/recommendations/download.csv?status=in-progress"
    context.close()
