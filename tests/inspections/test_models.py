"""Recommendations' dates, status and flags, and the inspection calendar's clash warning."""

import datetime as dt

import pytest
import time_machine

from inspections.models import InspectionActivity, Status
from taxonomy.models import Organisation

pytestmark = pytest.mark.django_db


def test_action_plan_is_due_six_weeks_after_publication_unless_set(
    make_recommendation, make_report
):
    report = make_report(published_date=dt.date(2024, 5, 2))
    assert make_recommendation(report=report).action_plan_date == dt.date(2024, 6, 13)
    chosen = make_recommendation(report=report, action_plan_date=dt.date(2024, 7, 1))
    assert chosen.action_plan_date == dt.date(2024, 7, 1)


def test_status_is_the_latest_change_in_the_history_whatever_the_order_entered(
    make_recommendation,
):
    rec = make_recommendation(
        history=[("completed", dt.date(2024, 9, 1)), ("in-progress", dt.date(2024, 6, 1))]
    )
    assert (rec.status, rec.status_date) == (Status.COMPLETED, dt.date(2024, 9, 1))
    assert make_recommendation().status == Status.OPEN


@time_machine.travel(dt.date(2024, 12, 1))
def test_overdue_means_unresolved_after_the_due_date(make_recommendation):
    late = make_recommendation(due_date=dt.date(2024, 11, 1))
    done = make_recommendation(
        due_date=dt.date(2024, 11, 1), history=[("completed", dt.date(2024, 11, 20))]
    )
    not_yet = make_recommendation(due_date=dt.date(2025, 1, 1))
    assert late.is_overdue and "Overdue" in late.flags()
    assert not done.is_overdue and done.flags() == []
    assert not not_yet.is_overdue
    from inspections.models import Recommendation

    assert list(Recommendation.objects.overdue()) == [late]


def test_long_open_counts_from_publication_and_follows_the_setting(
    make_recommendation, make_report, settings
):
    rec = make_recommendation(
        report=make_report(published_date=dt.date(2023, 1, 10)), due_date=None
    )
    with time_machine.travel(dt.date(2024, 1, 9)):
        assert not rec.is_long_open
    with time_machine.travel(dt.date(2024, 1, 11)):
        assert rec.is_long_open
        assert rec.flags() == ["Open over 365 days"]
    settings.INSPECTIONS_LONG_OPEN_DAYS = 730
    with time_machine.travel(dt.date(2024, 1, 11)):
        assert not rec.is_long_open


def activity(force_slug, programme, start, weeks=2):
    return InspectionActivity.objects.create(
        force=Organisation.objects.get(slug=force_slug),
        programme=programme,
        planned_start=start,
        planned_end=start + dt.timedelta(weeks=weeks),
    )


def test_activity_warns_about_another_programme_at_the_same_force_within_the_window(settings):
    avon = "avon-and-somerset-constabulary"
    peel = activity(avon, "peel", dt.date(2025, 3, 3))  # ends 17 March
    assert peel.warning() == ""
    # The same programme again, and another programme at another force, are not clashes.
    peel_again = activity(avon, "peel", dt.date(2025, 4, 1))  # ends 15 April
    activity("bedfordshire-police", "ncpi-inspection", dt.date(2025, 3, 10))
    assert list(peel.nearby()) == []
    # Seven weeks after the first PEEL visit ends: within the default eight weeks.
    jtai = activity(avon, "jtai", dt.date(2025, 5, 5))
    assert list(jtai.nearby()) == [peel, peel_again]
    assert list(peel.nearby()) == [jtai]
    assert jtai.warning().startswith(
        "Avon and Somerset Constabulary has other inspection activity within 8 weeks of this JTAI"
    )
    assert "PEEL (3 Mar 2025 to 17 Mar 2025)" in jtai.warning()
    settings.INSPECTIONS_ACTIVITY_WARNING_WEEKS = 6
    assert list(jtai.nearby()) == [peel_again]
    assert list(peel.nearby()) == []
