"""The NCPI team edits recommendations, their status history and the calendar in the admin."""

import datetime as dt

import pytest
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from inspections.models import InspectionActivity, Recommendation, Status
from taxonomy.models import Organisation

pytestmark = pytest.mark.django_db


def recommendation_form(rec, history, practice=()):
    return nested_form_data(
        {
            "report": rec.report.pk,
            "reference": "R1",
            "criterion": rec.criterion.pk,
            "text": rec.text,
            "owner": rec.owner.pk,
            "action_plan_date": "",
            "due_date": "2024-11-01",
            "status_changes": inline_formset(history),
        }
    ) | {"answering_practice": [page.pk for page in practice]}


def test_editing_the_history_in_the_admin_updates_the_status_and_chosen_practice(
    admin_client, make_recommendation, make_practice
):
    rec = make_recommendation()
    practice = make_practice(
        force=Organisation.objects.get(slug="bedfordshire-police"), title="Referral desk"
    )
    history = [
        {
            "status": "in-progress",
            "changed_on": "2024-06-01",
            "changed_by": "Force action plan lead",
            "note": "Plan agreed.",
            "evidence_url": "",
        },
        {
            "status": "completed",
            "changed_on": "2024-10-20",
            "changed_by": "NCPI team",
            "note": "Seen at review.",
            "evidence_url": "https://ncpi.example/evidence",
        },
    ]
    url = f"/admin/snippets/inspections/recommendation/edit/{rec.pk}/"
    response = admin_client.post(url, recommendation_form(rec, history, [practice]))
    assert response.status_code == 302, response.context["form"].errors
    rec = Recommendation.objects.get(pk=rec.pk)
    assert (rec.status, rec.status_date) == (Status.COMPLETED, dt.date(2024, 10, 20))
    assert rec.action_plan_date == dt.date(2024, 6, 13)
    assert rec.status_changes.count() == 2
    assert list(rec.answering_practice.all()) == [practice]


def test_a_bad_evidence_link_is_refused_and_changes_nothing(admin_client, make_recommendation):
    rec = make_recommendation()
    history = [
        {
            "status": "completed",
            "changed_on": "2024-10-20",
            "changed_by": "NCPI team",
            "note": "",
            "evidence_url": "javascript:alert(1)",
        }
    ]
    url = f"/admin/snippets/inspections/recommendation/edit/{rec.pk}/"
    response = admin_client.post(url, recommendation_form(rec, history))
    assert response.status_code == 200
    rec.refresh_from_db()
    assert rec.status == Status.OPEN
    assert not rec.status_changes.exists()


def test_register_listing_in_the_admin_shows_flags(admin_client, make_recommendation):
    make_recommendation(text="Late one", due_date=dt.date(2020, 1, 1))
    html = admin_client.get("/admin/snippets/inspections/recommendation/").content.decode()
    assert "Late one" in html
    assert "Overdue" in html


def add_activity(admin_client, programme, start, end):
    return admin_client.post(
        "/admin/snippets/inspections/inspectionactivity/add/",
        {
            "force": Organisation.objects.get(slug="avon-and-somerset-constabulary").pk,
            "programme": programme,
            "planned_start": start,
            "planned_end": end,
            "note": "",
        },
        follow=True,
    )


def test_saving_activity_close_to_another_programme_warns_the_ncpi_team(admin_client):
    first = add_activity(admin_client, "peel", "2025-03-03", "2025-03-14")
    assert "other inspection activity" not in first.content.decode()
    clash = add_activity(admin_client, "jtai", "2025-04-07", "2025-04-11")
    messages = [str(m) for m in clash.context["messages"]]
    assert any(
        "Avon and Somerset Constabulary has other inspection activity within 8 weeks" in m
        and "PEEL (3 Mar 2025 to 14 Mar 2025)" in m
        for m in messages
    ), messages
    assert InspectionActivity.objects.count() == 2


def test_activity_must_end_after_it_starts(admin_client):
    response = add_activity(admin_client, "peel", "2025-03-14", "2025-03-03")
    assert "The planned end must be on or after the start." in response.content.decode()
    assert not InspectionActivity.objects.exists()
