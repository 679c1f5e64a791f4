"""import_reports: the sample loads, re-imports update, and a bad record writes nothing."""

import datetime as dt
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from inspections.importer import import_reports
from inspections.models import Finding, InspectionReportPage, Recommendation, Status
from portal.importing import ImportFailed

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).resolve().parents[2] / "inspections" / "sample" / "reports.jsonl"


def report(**overrides):
    record = {
        "id": "rep-1",
        "title": "NCPI inspection of Avon and Somerset",
        "force": "avon-and-somerset-constabulary",
        "programme": "ncpi-inspection",
        "published": "2024-05-02",
        "summary": "Referrals are late.",
        "findings": [{"criterion": "initial-contact", "kind": "strength", "text": "Quick."}],
        "recommendations": [
            {"id": "rep-1-r1", "text": "Refer within a day.", "criterion": "assessment-and-help"}
        ],
    }
    record.update(overrides)
    return record


def write(tmp_path, *records):
    path = tmp_path / "reports.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    return path


def test_the_sample_imports_and_importing_again_changes_nothing(home_page, client):
    call_command("import_reports", str(SAMPLE))
    call_command("import_reports", str(SAMPLE))
    assert InspectionReportPage.objects.live().count() == 2
    assert Recommendation.objects.count() == 3
    assert Finding.objects.count() == 5
    avon = InspectionReportPage.objects.get(external_id="ncpi-2024-avon")
    assert avon.get_parent().title == "Inspections"
    r1 = Recommendation.objects.get(external_id="ncpi-2024-avon-r1")
    assert (r1.status, r1.status_date) == (Status.IN_PROGRESS, dt.date(2024, 6, 14))
    assert r1.action_plan_date == dt.date(2024, 6, 13)
    assert r1.status_changes.count() == 1
    done = Recommendation.objects.get(external_id="jtai-2023-bedfordshire-r1")
    assert done.status == Status.COMPLETED
    assert client.get(avon.url).status_code == 200


def test_reimport_updates_in_place_and_keeps_admin_history_when_the_file_has_none(
    home_page, tmp_path
):
    import_reports(write(tmp_path, report()))
    rec = Recommendation.objects.get(external_id="rep-1-r1")
    rec.status_changes.create(
        status="completed", changed_on=dt.date(2024, 9, 1), changed_by="NCPI"
    )
    rec.save()
    changed = report(title="Renamed report")
    changed["recommendations"][0]["text"] = "Refer within 24 hours."
    result = import_reports(write(tmp_path, changed))
    assert (len(result.created), len(result.updated)) == (0, 1)
    rec.refresh_from_db()
    assert rec.text == "Refer within 24 hours."
    assert rec.status == Status.COMPLETED
    assert InspectionReportPage.objects.get().title == "Renamed report"
    assert Recommendation.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"force": "no-such-force"}, "force", "unknown organisation 'no-such-force'"),
        ({"programme": "ofsted"}, "programme", "'ofsted' is not one of"),
        ({"published": "2 May 2024"}, "published", "is not a date like 2024-02-08"),
        ({"colour": "red"}, "colour", "is not a field of this format"),
        (
            {"findings": [{"criterion": "initial-contact", "kind": "praise", "text": "x"}]},
            "findings[1].kind",
            "'praise' is not one of",
        ),
        (
            {
                "recommendations": [
                    {"id": "a", "text": "x", "criterion": "assessment-and-help"},
                    {"id": "b", "text": "y", "criterion": "no-such"},
                ]
            },
            "recommendations[2].criterion",
            "unknown NCPI criterion 'no-such'",
        ),
        (
            {
                "recommendations": [
                    {
                        "id": "a",
                        "text": "x",
                        "criterion": "assessment-and-help",
                        "status_history": [{"status": "done", "date": "2024-06-01", "who": "x"}],
                    }
                ]
            },
            "recommendations[1].status_history[1].status",
            "'done' is not one of",
        ),
        ({"notable_practice": ["missing-id"]}, "notable_practice", "no practice was imported"),
        ({"report_url": "javascript:alert(1)"}, "report_url", "is not a web address"),
        ({"title": "NUL\u0000"}, "title", "must not contain control characters"),
        ({"force": "kent-police\u0000"}, "force", "must not contain control characters"),
        (
            {"recommendations": [{"id": "a", "text": "x\u0007y", "criterion": "investigation"}]},
            "recommendations[1].text",
            "must not contain control characters",
        ),
        (
            {
                "recommendations": [
                    {
                        "id": "a",
                        "text": "x",
                        "criterion": "assessment-and-help",
                        "status_history": [
                            {"status": "open", "date": "2024-06-01", "who": "Lead\nEmail: x"}
                        ],
                    }
                ]
            },
            "recommendations[1].status_history[1].who",
            "must be on one line",
        ),
    ],
)
def test_a_bad_value_names_file_line_and_field_and_nothing_is_written(
    home_page, tmp_path, overrides, field, message
):
    good = report(id="good", recommendations=[])
    path = write(tmp_path, good, report(**overrides))
    with pytest.raises(ImportFailed) as failure:
        import_reports(path)
    assert failure.value.line == 2
    assert failure.value.field == field
    assert message in str(failure.value)
    assert str(failure.value).startswith(f"{path}:2: field '{field}'")
    assert not InspectionReportPage.objects.exists()
    assert not Recommendation.objects.exists()


def test_a_recommendation_id_repeated_across_reports_is_refused(home_page, tmp_path):
    second = report(id="rep-2")
    with pytest.raises(ImportFailed, match="'rep-1-r1' is repeated \\(first on line 1\\)"):
        import_reports(write(tmp_path, report(), second))


def test_the_command_exits_with_the_error_and_says_nothing_was_imported(home_page, tmp_path):
    path = write(tmp_path, report(programme="ofsted"))
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_reports", str(path))
