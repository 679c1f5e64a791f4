"""The API's parameters: every bad one is a 400 in one body shape on every endpoint (never a 500,
never Ninja's own 422), and the OpenAPI schema states every bound and allowed value, with the
taxonomy's values read from the database when the schema is served."""

import pytest
from django.core.cache import cache

from taxonomy.models import Theme

pytestmark = pytest.mark.django_db

SEARCH, REGISTER = "/api/v1/search", "/api/v1/recommendations"


@pytest.fixture(autouse=True)
def clear_rate_limits():
    cache.clear()


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        (f"{REGISTER}?offset=99999999999999999999", "offset"),  # was a server error
        (f"{REGISTER}?offset=null", "offset"),  # was Ninja's 422 with its own body
        (f"{REGISTER}?limit=abc", "limit"),  # was Ninja's 422 with its own body
        (f"{REGISTER}?limit=1&limit=2", "limit"),
        (f"{REGISTER}?status=open&status=", "status"),
        (f"{SEARCH}?page=%D9%A3", "page"),  # "٣" was read as page 3
        (f"{SEARCH}?page=2.0", "page"),
        (f"{SEARCH}?page=51", "page"),
        (f"{SEARCH}?q=a%00b", "q"),  # PostgreSQL refuses NUL: was a server error
        (f"{SEARCH}?q=a%01b", "q"),
        (f"{SEARCH}?sort=newest&sort=relevance", "sort"),
        (f"{SEARCH}?year=20%D9%A2%D9%A4", "year"),
        (f"{SEARCH}?theme=" + "&theme=".join(["training"] * 51), "theme"),
    ],
)
def test_every_bad_parameter_is_a_400_in_one_shape(client, query, parameter):
    response = client.get(query)
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"detail", "parameter", "errors"}
    assert body["parameter"] == parameter
    assert body["errors"][parameter]
    assert body["detail"].startswith(f"{parameter}: ")


@pytest.mark.parametrize("query", [f"{SEARCH}?theme=", f"{REGISTER}?force=", f"{SEARCH}?page="])
def test_an_empty_value_is_refused_alike_on_every_endpoint(client, query):
    response = client.get(query)
    assert response.status_code == 400
    assert "must not be empty: leave the parameter out instead" in response.json()["detail"]


def parameters(client, path):
    operation = client.get("/api/v1/openapi.json").json()["paths"][path]["get"]
    return {p["name"]: p["schema"] for p in operation["parameters"]}, operation["responses"]


def test_the_schema_states_every_bound_and_allowed_value(client):
    search, responses = parameters(client, SEARCH)
    assert {"type": "integer", "minimum": 1, "maximum": 50}.items() <= search["page"].items()
    assert search["q"]["maxLength"] == 10_000 and search["q"]["pattern"]
    assert search["sort"]["enum"] == ["relevance", "newest", "most-viewed"]
    assert set(search["theme"]["items"]["enum"]) == set(
        Theme.objects.values_list("slug", flat=True)
    )
    assert search["theme"]["maxItems"] == 50
    assert search["year"]["items"]["pattern"] == "^(19|20)[0-9]{2}$"
    assert responses["400"]["content"]["application/json"]["schema"]["$ref"].endswith("ProblemOut")

    register, responses = parameters(client, REGISTER)
    assert {"minimum": 1, "maximum": 500}.items() <= register["limit"].items()
    assert {"minimum": 0, "maximum": 100_000}.items() <= register["offset"].items()
    assert register["status"]["items"]["enum"] == [
        "open",
        "in-progress",
        "completed",
        "superseded",
    ]
    assert "avon-and-somerset-constabulary" in register["force"]["items"]["enum"]
    assert responses["400"]["content"]["application/json"]["schema"]["$ref"].endswith("ProblemOut")


def test_a_theme_the_ncpi_team_adds_is_in_the_schema_and_accepted_at_once(client):
    assert client.get(SEARCH, {"theme": "harmful-sexual-behaviour-new"}).status_code == 400
    Theme.objects.create(name="New theme", slug="harmful-sexual-behaviour-new")
    search, _responses = parameters(client, SEARCH)
    assert "harmful-sexual-behaviour-new" in search["theme"]["items"]["enum"]
    assert client.get(SEARCH, {"theme": "harmful-sexual-behaviour-new"}).status_code == 200
