"""Fixtures for the inspections tests: reports and recommendations, built like an editor would."""

import datetime as dt

import pytest

from taxonomy.models import Criterion, Organisation


@pytest.fixture
def inspection_index(home_page):
    from inspections.models import InspectionIndexPage

    index = InspectionIndexPage.objects.first()
    if index is None:
        index = home_page.add_child(
            instance=InspectionIndexPage(title="Inspections", slug="inspections")
        )
        index.save_revision().publish()
    return index


@pytest.fixture
def make_report(inspection_index):
    """Create and publish a report; keyword arguments override the defaults."""
    from inspections.models import InspectionReportPage

    counter = {"n": 0}

    def make(publish=True, **overrides):
        counter["n"] += 1
        fields = {
            "title": f"Inspection report {counter['n']}",
            "force": Organisation.objects.get(slug="avon-and-somerset-constabulary"),
            "programme": "ncpi-inspection",
            "published_date": dt.date(2024, 5, 2),
            "fieldwork_start": dt.date(2024, 1, 15),
            "fieldwork_end": dt.date(2024, 1, 26),
            "summary": "Good first response; referrals are late.",
        }
        fields.update(overrides)
        page = InspectionReportPage(**fields)
        inspection_index.add_child(instance=page)
        if publish:
            page.save_revision().publish()
        else:
            page.live = False
            page.save()
        return page

    return make


@pytest.fixture
def make_recommendation(make_report):
    """Create a recommendation (on a new report unless `report` is given), with an optional
    status `history` of (status, date) pairs."""
    from inspections.models import Recommendation, RecommendationStatusChange

    def make(history=(), **overrides):
        report = overrides.pop("report", None) or make_report()
        fields = {
            "report": report,
            "text": "Make referrals to children's services within 24 hours.",
            "criterion": Criterion.objects.get(slug="assessment-and-help"),
            "owner": report.force,
            "due_date": dt.date(2024, 11, 1),
        }
        fields.update(overrides)
        rec = Recommendation(**fields)
        rec.status_changes = [
            RecommendationStatusChange(status=status, changed_on=day, changed_by="Force lead")
            for status, day in history
        ]
        rec.save()
        return rec

    return make
