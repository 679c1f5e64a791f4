"""Every search channel x every way of hiding a page x both search backends: nothing of a hidden
page reaches someone who may not see it.

Channels: the HTML search page, the search API, facet counts, the Atom feed, as-you-type
suggestions, "did you mean" corrections and related practice.
"""

import pytest

from search import service

from .conftest import HIDINGS, PUBLIC_TYPO, PUBLIC_WORD

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clean_cache")]

BACKENDS = ["database", "elasticsearch"]


@pytest.fixture(params=BACKENDS)
def backend(request, postgres, settings):
    if request.param == "elasticsearch":
        request.getfixturevalue("elasticsearch_backend")  # tests/search/conftest.py
    else:
        settings.SEARCH_BACKEND = "database"
    return request.param


@pytest.fixture(params=HIDINGS)
def scenario(request, backend, build_scenario):
    return build_scenario(request.param)


def viewers(scenario, partner_user):
    """Who may not see the hidden page: everyone anonymous, and for police-only practice a
    signed-in partner as well."""
    return [None, partner_user] if scenario.hiding == "police" else [None]


def as_viewer(client, user):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client


def test_html_search_and_its_corrections(client, scenario, partner_user):
    for user in viewers(scenario, partner_user):
        as_viewer(client, user)
        found = client.get("/search/", {"q": scenario.secret}).content.decode()
        assert not scenario.leaks(found, typed=scenario.secret)
        corrected = client.get("/search/", {"q": scenario.typo}).content.decode()
        assert not scenario.leaks(corrected, typed=scenario.typo)
        everything = client.get("/search/", {"q": ""}).content.decode()
        assert not scenario.leaks(everything) and scenario.shows_public(everything)
        # Corrections work: a typo of the public page's word is corrected towards it.
        control = client.get("/search/", {"q": PUBLIC_TYPO}).content.decode()
        assert "Showing results for <strong>" in control and PUBLIC_WORD in control


def test_api_search_and_facets(client, scenario, partner_user):
    for user in viewers(scenario, partner_user):
        as_viewer(client, user)
        found = client.get("/api/v1/search", {"q": scenario.secret})
        assert found.status_code == 200
        assert not scenario.leaks(found.content.decode(), typed=scenario.secret)
        everything = client.get("/api/v1/search", {"q": ""}).json()
        assert not scenario.leaks(str(everything)) and scenario.shows_public(str(everything))
        results = service.search("", user=user, log=False)
        assert results.count == 1
        # The hidden page's own theme is counted nowhere; the theme both share counts one.
        themes = {o.value: o.count for f in results.facets if f.name == "theme" for o in f.options}
        assert themes.get("training", 0) == 0
        assert themes["missing-children"] == 1


def test_atom_feed(client, scenario, partner_user):
    for user in viewers(scenario, partner_user):
        as_viewer(client, user)
        for query in (scenario.secret, ""):
            feed = client.get("/search/feed/", {"q": query}).content.decode()
            assert not scenario.leaks(feed, typed=query)
        assert scenario.shows_public(client.get("/search/feed/", {"q": ""}).content.decode())


def test_suggestions(client, scenario, partner_user):
    for user in viewers(scenario, partner_user):
        as_viewer(client, user)
        prefix = scenario.secret[:6]
        typed = client.get("/search/suggest/", {"q": prefix}).content.decode()
        assert not scenario.leaks(typed, typed=prefix)
        control = client.get("/search/suggest/", {"q": PUBLIC_WORD[:6]}).content.decode()
        assert scenario.shows_public(control)


def test_related_practice(client, scenario, partner_user):
    for user in viewers(scenario, partner_user):
        as_viewer(client, user)
        related = service.related(scenario.public.pk, user=user)
        assert scenario.hidden.pk not in [hit.page_id for hit in related]
        page = client.get(scenario.public.url).content.decode()
        assert not scenario.leaks(page) and scenario.shows_public(page)


@pytest.mark.parametrize("hiding", ["police", "login"])
def test_people_who_may_see_restricted_practice_find_it(
    client, backend, build_scenario, hiding, police_user, partner_user
):
    """The other side of the matrix: restricted practice is found by whom it is for."""
    scenario = build_scenario(hiding)
    as_viewer(client, police_user if hiding == "police" else partner_user)
    found = client.get("/search/", {"q": scenario.secret}).content.decode()
    assert scenario.hidden.title in found
    corrected = client.get("/search/", {"q": scenario.typo}).content.decode()
    assert "Showing results for <strong>" in corrected and scenario.secret in corrected
