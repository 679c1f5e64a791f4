"""GET /api/v1/recommendations: the register as JSON, with the page's filters."""

import datetime as dt

import pytest

from taxonomy.models import Organisation

pytestmark = pytest.mark.django_db

URL = "/api/v1/recommendations"


@pytest.fixture
def recs(make_report, make_recommendation):
    beds = make_report(
        force=Organisation.objects.get(slug="bedfordshire-police"),
        programme="jtai",
        published_date=dt.date(2023, 11, 20),
    )
    return {
        "open": make_recommendation(reference="R1"),
        "done": make_recommendation(report=beds, history=[("completed", dt.date(2024, 6, 1))]),
        "draft": make_recommendation(report=make_report(publish=False)),
    }


def test_lists_published_recommendations_with_count_and_results(client, recs):
    body = client.get(URL).json()
    assert body["count"] == 2
    assert {r["id"] for r in body["results"]} == {recs["open"].pk, recs["done"].pk}
    first = next(r for r in body["results"] if r["id"] == recs["open"].pk)
    assert first["reference"] == "R1"
    assert first["status"] == {"value": "open", "label": "Open"}
    assert first["criterion"]["slug"] == "assessment-and-help"
    assert first["report"]["force"]["slug"] == "avon-and-somerset-constabulary"
    assert first["report"]["programme"]["value"] == "ncpi-inspection"
    assert first["action_plan_date"] == "2024-06-13"
    assert first["url"].endswith(f"/recommendations/{recs['open'].pk}/")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?status=completed", {"done"}),
        ("?status=open&status=completed", {"open", "done"}),
        ("?force=bedfordshire-police", {"done"}),
        ("?programme=ncpi-inspection", {"open"}),
        ("?year=2023", {"done"}),
        ("?criterion=assessment-and-help&year=2024", {"open"}),
    ],
)
def test_filters_match_the_register_page(client, recs, query, expected):
    body = client.get(URL + query).json()
    assert {r["id"] for r in body["results"]} == {recs[name].pk for name in expected}
    assert body["count"] == len(expected)


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("?status=closed", "status", "status: must be one of 'open'"),
        ("?force=no-such-force", "force", "there is no force 'no-such-force'"),
        ("?year=1999", "year", "there are no reports published in '1999'"),
        ("?colour=red", "colour", "Unknown parameter 'colour'"),
        ("?limit=0", "limit", "limit: must be a whole number from 1 to 500"),
    ],
)
def test_an_unknown_filter_value_is_a_400_that_says_what_is_wrong(
    client, recs, query, field, message
):
    response = client.get(URL + query)
    assert response.status_code == 400
    body = response.json()
    assert message in body["detail"]
    assert field in body["errors"]


def test_paging_with_limit_and_offset(client, recs):
    everything = client.get(URL).json()["results"]
    page = client.get(URL + "?limit=1&offset=1").json()
    assert page["count"] == 2
    assert [r["id"] for r in page["results"]] == [everything[1]["id"]]


def test_the_openapi_schema_documents_the_endpoint_and_its_filters(client):
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/recommendations"]["get"]
    names = {parameter["name"] for parameter in operation["parameters"]}
    assert {"force", "programme", "criterion", "status", "year"} <= names
    assert "400" in operation["responses"]
