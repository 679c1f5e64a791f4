"""The public register page, its CSV download and recommendation pages."""

import csv
import datetime as dt
import io

import pytest
import time_machine

from taxonomy.models import Criterion, Organisation

pytestmark = pytest.mark.django_db

REGISTER = "/recommendations/"
CSV = "/recommendations/download.csv"


@pytest.fixture
def register_data(make_report, make_recommendation):
    avon = make_report(title="Avon NCPI 2024")
    beds = make_report(
        title="Bedfordshire JTAI 2023",
        force=Organisation.objects.get(slug="bedfordshire-police"),
        programme="jtai",
        published_date=dt.date(2023, 11, 20),
    )
    hidden = make_report(title="Draft report", publish=False)
    return {
        "alpha": make_recommendation(report=avon, text="Alpha: refer children quickly."),
        "bravo": make_recommendation(
            report=avon,
            text="Bravo: audit risk assessments.",
            criterion=Criterion.objects.get(slug="leadership-management-governance"),
            history=[("completed", dt.date(2024, 10, 1))],
        ),
        "charlie": make_recommendation(
            report=beds,
            text="Charlie: use return home interviews.",
            history=[("in-progress", dt.date(2024, 1, 10))],
        ),
        "draft": make_recommendation(report=hidden, text="Delta: never shown."),
    }


def shown(client, query=""):
    html = client.get(REGISTER + query).content.decode()
    return {name for name in ("Alpha", "Bravo", "Charlie", "Delta") if f"{name}:" in html}


def test_register_lists_published_recommendations_and_filters_like_the_practice_finder(
    client, register_data
):
    assert shown(client) == {"Alpha", "Bravo", "Charlie"}
    assert shown(client, "?force=bedfordshire-police") == {"Charlie"}
    assert shown(client, "?programme=ncpi-inspection") == {"Alpha", "Bravo"}
    assert shown(client, "?criterion=leadership-management-governance") == {"Bravo"}
    assert shown(client, "?status=open&status=in-progress") == {"Alpha", "Charlie"}
    assert shown(client, "?year=2023") == {"Charlie"}
    assert shown(client, "?year=2024&status=completed") == {"Bravo"}


def test_an_unknown_filter_value_is_explained_and_filters_nothing(client, register_data):
    response = client.get(REGISTER + "?force=no-such-force&status=open")
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert "There is no force &#x27;no-such-force&#x27;" in html
    assert shown(client, "?force=no-such-force") == {"Alpha", "Bravo", "Charlie"}
    assert "Download these recommendations" not in html


@time_machine.travel(dt.date(2024, 12, 1))
def test_register_shows_status_and_flags(client, register_data):
    html = client.get(REGISTER + "?force=avon-and-somerset-constabulary").content.decode()
    assert '<strong class="govuk-tag govuk-tag--red">Overdue</strong>' in html
    assert 'govuk-tag--green">Completed' in html


def test_register_queries_do_not_grow_with_rows(
    client, make_report, make_recommendation, django_assert_max_num_queries
):
    report = make_report()
    for number in range(30):
        make_recommendation(report=report, text=f"Recommendation {number}")
    with django_assert_max_num_queries(20):
        response = client.get(REGISTER)
    assert response.content.decode().count("Recommendation 2") >= 11


def test_csv_downloads_the_filtered_view(client, register_data):
    response = client.get(CSV + "?status=open&status=in-progress")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert {row["Recommendation"] for row in rows} == {
        "Alpha: refer children quickly.",
        "Charlie: use return home interviews.",
    }
    charlie = next(row for row in rows if row["Recommendation"].startswith("Charlie"))
    assert charlie["Force inspected"] == "Bedfordshire Police"
    assert charlie["Programme"] == "JTAI"
    assert charlie["Status"] == "In progress"
    assert charlie["Web address"].endswith(f"/recommendations/{register_data['charlie'].pk}/")


def test_csv_never_widens_a_bad_filter_to_everything(client, register_data):
    response = client.get(CSV + "?criterion=no-such")
    assert response.status_code == 400
    assert "There is no NCPI criterion 'no-such'" in response.content.decode()


def test_csv_cells_cannot_run_as_spreadsheet_formulas(client, make_recommendation):
    make_recommendation(text='=HYPERLINK("https://evil.example")')
    rows = list(csv.reader(io.StringIO(client.get(CSV).content.decode())))
    assert rows[1][1] == '\'=HYPERLINK("https://evil.example")'


def test_recommendation_page_shows_history_and_hides_unpublished_reports(
    client, register_data, make_recommendation
):
    rec = make_recommendation(
        history=[("in-progress", dt.date(2024, 6, 1)), ("completed", dt.date(2024, 9, 1))]
    )
    change = rec.status_changes.get(status="completed")
    change.note = "Seen at the post-inspection review."
    change.evidence_url = "https://ncpi.example/evidence"
    change.save()
    html = client.get(f"/recommendations/{rec.pk}/").content.decode()
    assert "Seen at the post-inspection review." in html
    assert 'href="https://ncpi.example/evidence"' in html
    assert html.index("1 Jun 2024") < html.index("1 Sep 2024")
    assert client.get(f"/recommendations/{register_data['draft'].pk}/").status_code == 404
    assert client.get("/recommendations/999999/").status_code == 404
