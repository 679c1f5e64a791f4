"""GET /api/v1/search: shape, filters, errors as 400s, public content only, OpenAPI schema."""

import pytest
from django.core.cache import cache

from taxonomy.models import Theme

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clear_rate_limits():
    cache.clear()


def test_search_returns_hits_with_external_ids_and_facets(client, indexed, restrict_to_police):
    online = Theme.objects.get(slug="online-abuse")
    indexed(title="Grab packs", external_id="prac-0001", summary="Homes keep a grab pack.")
    indexed(title="Grab lists", external_id="prac-0002", themes=[online])
    restrict_to_police(indexed(title="Grab teams", external_id="prac-0003"))
    response = client.get("/api/v1/search", {"q": "grab", "theme": "training"})
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 1
    hit = data["results"][0]
    assert hit["external_id"] == "prac-0001"
    assert hit["title"] == "Grab packs"
    assert hit["url"].startswith("http://testserver/")
    assert "<mark>grab</mark>" in hit["highlight"]
    themes = {v["value"]: v["count"] for v in data["facets"]["theme"]}
    assert themes == {"training": 1, "online-abuse": 1}
    # Police-only practice is never in the API, whoever asks.
    everything = client.get("/api/v1/search", {"q": "grab"}).json()
    assert {r["external_id"] for r in everything["results"]} == {"prac-0001", "prac-0002"}


@pytest.mark.parametrize(
    ("params", "parameter", "words"),
    [
        ({"page": "two"}, "page", "whole number"),
        ({"page": "-1"}, "page", "whole number from 1 to 50"),
        ({"criterion": "no-such-thing"}, "criterion", "no NCPI criterion 'no-such-thing'"),
        ({"year": "twenty"}, "year", "not a year"),
        ({"sort": "random"}, "sort", "must be one of 'relevance'"),
        ({"colour": "red"}, "colour", "Unknown parameter"),
        ({"q": "x" * 10_001}, "q", "10,000 characters or fewer"),
    ],
)
def test_bad_parameters_get_a_400_with_a_clear_message(client, params, parameter, words, db):
    response = client.get("/api/v1/search", params)
    assert response.status_code == 400
    assert response.json()["parameter"] == parameter
    assert words in response.json()["detail"]


def test_openapi_schema_documents_the_search_endpoint(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/search"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"q", "criterion", "theme", "audience", "force", "region", "page"} <= names
    assert {"200", "400"} <= set(operation["responses"])
