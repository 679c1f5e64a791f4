"""Report, index and programme pages as a reader sees them, and where editors may create them."""

import pytest
from wagtail.test.utils import WagtailPageTestCase

from inspections.models import (
    Finding,
    InspectionIndexPage,
    InspectionReportPage,
    ProgrammePage,
)
from portal.models import HomePage
from practice.models import PracticeIndexPage
from taxonomy.models import Criterion


class PageTreeRulesTest(WagtailPageTestCase):
    def test_reports_and_programme_pages_live_under_the_inspections_index(self):
        self.assertCanCreateAt(HomePage, InspectionIndexPage)
        self.assertCanCreateAt(InspectionIndexPage, InspectionReportPage)
        self.assertCanCreateAt(InspectionIndexPage, ProgrammePage)
        self.assertCanNotCreateAt(HomePage, InspectionReportPage)
        self.assertCanNotCreateAt(PracticeIndexPage, InspectionReportPage)


@pytest.mark.django_db
def test_report_page_groups_findings_by_criterion_strengths_first(
    client, make_report, make_recommendation, make_practice
):
    initial = Criterion.objects.get(slug="initial-contact")
    assessment = Criterion.objects.get(slug="assessment-and-help")
    practice = make_practice(title="Call handler triage")
    report = make_report(title="Avon NCPI 2024", report_url="https://ncpi.example/avon")
    report.findings = [
        Finding(criterion=assessment, kind="cause-of-concern", text="Referrals are late."),
        Finding(criterion=initial, kind="area-for-improvement", text="Records miss the child."),
        Finding(criterion=initial, kind="strength", text="Call handlers spot risk."),
    ]
    report.notable_practice = [practice]
    report.save_revision().publish()
    make_recommendation(report=report, reference="R1", text="Refer within a day.")

    html = client.get(report.url).content.decode()
    # Criteria in taxonomy order; within one, strengths before areas for improvement.
    assert html.index("Initial contact") < html.index("Assessment and help")
    assert html.index("Call handlers spot risk.") < html.index("Records miss the child.")
    assert html.index("Records miss the child.") < html.index("Referrals are late.")
    assert "Cause of concern" in html
    assert "R1: Refer within a day." in html
    assert "Call handler triage" in html
    assert 'href="https://ncpi.example/avon"' in html
    assert 'href="/forces/avon-and-somerset-constabulary/"' in html


@pytest.mark.django_db
def test_index_lists_reports_and_programme_pages(client, inspection_index, make_report):
    make_report(title="Avon NCPI 2024")
    make_report(title="Unpublished report", publish=False)
    programme = ProgrammePage(
        title="About JTAI",
        programme="jtai",
        summary="Joint inspections of how agencies work together.",
        aims="<p>Check partnership working.</p>",
        fieldwork="<p>A week on site.</p>",
        outcome_for_force="<p>A letter with findings.</p>",
    )
    inspection_index.add_child(instance=programme)
    programme.save_revision().publish()

    html = client.get(inspection_index.url).content.decode()
    assert "Avon NCPI 2024" in html
    assert "Unpublished report" not in html
    assert "About JTAI" in html
    assert 'href="/recommendations/"' in html

    page_html = client.get(programme.url).content.decode()
    for text in ["Check partnership working.", "A week on site.", "A letter with findings."]:
        assert text in page_html
    assert 'href="/recommendations/?programme=jtai"' in page_html
