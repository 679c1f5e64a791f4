"""A real Varnish (deploy/varnish/default.vcl) in front of a real gunicorn: hits never reach the
portal, a change is visible on the next request, and nothing personal or restricted is ever
served from the cache to someone else."""

import re
from pathlib import Path

import pytest
import requests
from django.db import connection

from tests import services
from tests.caching import servers
from tests.smtp import free_port

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def stack(tmp_path, settings, postgres, page_cache):
    """(Varnish's base URL, gunicorn's log), with the portal (this process and gunicorn's)
    purging that Varnish."""
    if not Path(servers.VARNISHD).exists():
        services.service_missing(f"Varnish is not installed ({servers.VARNISHD}): see .ci/run")
    varnish_port = free_port()
    environment = {
        "CACHING_TEST_DATABASE_NAME": connection.settings_dict["NAME"],
        "VARNISH_PURGE_URL": f"http://127.0.0.1:{varnish_port}",
        # As in production: search pages kept by the portal itself, behind Varnish.
        "SEARCH_RESULTS_CACHE": "true",
    }
    with servers.gunicorn(tmp_path, "tests.caching.server_settings", environment) as (port, log):
        with servers.varnish(tmp_path, port, port=varnish_port):
            settings.WAGTAILFRONTENDCACHE = {
                "varnish": {
                    "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
                    "LOCATION": f"http://127.0.0.1:{varnish_port}",
                }
            }
            yield f"http://127.0.0.1:{varnish_port}", log


def requests_for(log, path):
    """How many requests for `path` reached gunicorn (its access log)."""
    return len(re.findall(rf'"GET {re.escape(path)} HTTP', log.read_text(errors="replace")))


def test_a_hit_never_reaches_the_portal(stack, make_practice):
    base, log = stack
    page = make_practice(title="Served by Varnish")
    first = requests.get(base + page.url, timeout=30)
    assert first.status_code == 200 and first.headers["X-Cache"] == "miss"
    for _ in range(3):
        hit = requests.get(base + page.url, timeout=30)
        assert hit.headers["X-Cache"] == "hit"
        assert len(hit.headers["X-Varnish"].split()) == 2  # this request's id and the cached one's
        assert hit.text == first.text and "Served by Varnish" in hit.text
    assert requests_for(log, page.url) == 1


def test_a_publish_is_visible_on_the_next_request(stack, make_practice):
    base, _ = stack
    page = make_practice(title="Before the edit")
    for url in (page.url, "/practice/", "/practice/?page=1", "/"):
        requests.get(base + url, timeout=30)
        assert requests.get(base + url, timeout=30).headers["X-Cache"] == "hit"
    page.title = "After the edit"
    page.save_revision().publish()
    for url in (page.url, "/practice/", "/practice/?page=1", "/"):
        response = requests.get(base + url, timeout=30)
        assert "After the edit" in response.text, url
        assert "Before the edit" not in response.text, url


def test_every_search_reaches_the_portal_and_is_logged_while_its_page_is_kept(
    stack, make_practice
):
    from search import index
    from search.models import SearchQuery

    base, _ = stack
    index.update(make_practice(title="Grooming disruption through taxi licensing").pk)
    answers = [requests.get(base + "/search/?q=grooming", timeout=30) for _ in range(3)]
    assert [a.headers["X-Cache"] for a in answers] == ["miss"] * 3
    assert [a.headers.get("X-Page-Cache") for a in answers] == ["miss", "hit", "hit"]
    assert all("taxi licensing" in a.text for a in answers)
    assert all("private" in a.headers["Cache-Control"] for a in answers)
    assert list(SearchQuery.objects.values_list("query", "result_count")) == [("grooming", 1)] * 3
    # A change reaches the next search.
    index.update(make_practice(title="Grooming awareness for hotel staff").pk)
    assert "hotel staff" in requests.get(base + "/search/?q=grooming", timeout=30).text


def test_nothing_personal_or_restricted_is_served_to_someone_else(
    stack, make_practice, restrict_to_police, police_user
):
    from search import index

    base, _ = stack
    open_to_all = make_practice(title="Open to everyone")
    secret = make_practice(title="Police eyes only")
    restrict_to_police(secret)
    for page in (open_to_all, secret):
        index.update(page.pk)
    search = "/search/?q=officer"
    officer = requests.Session()
    login = officer.get(base + "/account/login/", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text).group(1)
    signed_in = officer.post(
        base + "/account/login/",
        data={"csrfmiddlewaretoken": token, "login": police_user.email, "password": "pw"},
        headers={"Referer": base + "/account/login/"},
        allow_redirects=False,
        timeout=30,
    )
    assert signed_in.status_code == 302, signed_in.text
    for _ in range(2):
        for url in (secret.url, "/practice/", "/", search):
            seen = officer.get(base + url, timeout=30)
            assert "Police eyes only" in seen.text, url
            assert seen.headers["X-Cache"] == "miss"
            assert "private" in seen.headers["Cache-Control"]
    for url in (secret.url, "/practice/", "/", search, search):
        anonymous = requests.get(base + url, timeout=30, allow_redirects=False)
        assert "Police eyes only" not in anonymous.text, url
    assert "Open to everyone" in requests.get(base + search, timeout=30).text
    assert requests.get(base + secret.url, timeout=30, allow_redirects=False).status_code == 302


def test_a_registration_through_the_cache_updates_the_seats_left(stack, make_event):
    from taxonomy.models import JobRole, Organisation

    base, _ = stack
    event = make_event(capacity=5)
    url = base + event.url
    page = requests.get(url, timeout=30)
    assert "5 of 5 left" in page.text and not page.cookies
    assert requests.get(url, timeout=30).headers["X-Cache"] == "hit"
    registered = requests.post(
        url,
        data={
            "name": "Sam",
            "email": "sam@council.example",
            "organisation": Organisation.objects.get(slug="avon-and-somerset-constabulary").pk,
            "role": JobRole.objects.get(slug="response-officer").pk,
        },
        headers={"Origin": base, "Sec-Fetch-Site": "same-origin"},
        allow_redirects=False,
        timeout=30,
    )
    assert registered.status_code == 302, registered.text
    assert "4 of 5 left" in requests.get(url, timeout=30).text
    assert "4 of 5 left" in requests.get(base + "/events/", timeout=30).text
