"""gunicorn as production runs it (portal/gunicorn_conf.py): the application is loaded once in
the master and its objects frozen before the workers are forked, so a full garbage collection
in a worker, which holds every thread of the process, walks only what requests created (some
thousands of objects) instead of all of Django and Wagtail (some 240,000, 120 ms and more).
The time itself is measured by benchmarks/load.py; this checks the workers as they run."""

import json
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from tests.caching.servers import gunicorn as gunicorn_server

pytestmark = pytest.mark.django_db
# Django, Wagtail and the portal, loaded, are well over this many objects; what a worker's
# requests create afterwards is not frozen.
APPLICATION_OBJECTS = 100_000


@pytest.fixture
def gunicorn(tmp_path, postgres):
    """Two workers forked by a master that loaded the portal, on this run's test database."""
    environment = {
        "NEWSLETTERS_TEST_DATABASE_NAME": connection.settings_dict["NAME"],
        "NEWSLETTERS_TEST_SMTP_PORT": "25",
    }
    with gunicorn_server(tmp_path, "tests.portal.gunicorn_settings", environment, workers=2) as (
        port,
        _log,
    ):
        yield f"http://127.0.0.1:{port}"


def get(url):
    with urllib.request.urlopen(url, timeout=30) as answer:  # noqa: S310 - a local test server
        return answer.status, answer.read()


def test_each_worker_starts_with_the_application_out_of_the_collectors_reach(gunicorn):
    base = gunicorn
    workers = {}
    # Concurrent requests, so both workers answer some.
    with ThreadPoolExecutor(max_workers=8) as pool:
        for _status, body in pool.map(get, [base + "/test-worker/"] * 40):
            report = json.loads(body)
            workers[report["pid"]] = report["frozen"]
    for pid, frozen in workers.items():
        assert frozen > APPLICATION_OBJECTS, f"worker {pid}: only {frozen} objects frozen"


def test_workers_forked_from_the_loaded_application_serve_pages_from_the_database(
    gunicorn, home_page
):
    base = gunicorn
    # Concurrent page views in both workers: each has a database connection of its own (a
    # connection opened in the master and shared by the forks would garble the answers).
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(get, [base + "/"] * 40))
    assert {status for status, _ in answers} == {200}
    assert all(home_page.title.encode() in body for _, body in answers)
