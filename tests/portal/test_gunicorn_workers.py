"""gunicorn as production runs it (portal/gunicorn_conf.py): the application is loaded once in
the master and its objects frozen before the workers are forked, so a full garbage collection
in a worker, which holds every thread of the process, walks only what requests created (some
thousands of objects) instead of all of Django and Wagtail (some 240,000, 120 ms and more).
The time itself is measured by benchmarks/load.py; this checks the workers as they run."""

import json
import os
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.db import connection

from tests.smtp import free_port

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
# Django, Wagtail and the portal, loaded, are well over this many objects; what a worker's
# requests create afterwards is not frozen.
APPLICATION_OBJECTS = 100_000


@pytest.fixture
def gunicorn(tmp_path, postgres):
    port = free_port()
    output = tmp_path / "gunicorn.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.portal.gunicorn_settings",
        "NEWSLETTERS_TEST_DATABASE_NAME": connection.settings_dict["NAME"],
        "NEWSLETTERS_TEST_SMTP_PORT": "25",
        "PYTHONPATH": str(ROOT),
    }
    with open(output, "wb") as log:
        process = subprocess.Popen(  # noqa: S603 (our own arguments)
            [
                sys.executable,
                "-m",
                "gunicorn",
                "portal.wsgi:application",
                "--config=python:portal.gunicorn_conf",
                f"--bind=127.0.0.1:{port}",
                "--workers=2",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                get(base + "/test-worker/")
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("gunicorn did not start:\n" + output.read_text())
                time.sleep(0.1)
        yield base, process
    finally:
        process.terminate()
        process.wait(timeout=30)


def get(url):
    with urllib.request.urlopen(url, timeout=30) as answer:  # noqa: S310 - a local test server
        return answer.status, answer.read()


def test_each_worker_starts_with_the_application_out_of_the_collectors_reach(gunicorn):
    base, master = gunicorn
    workers = {}
    # Concurrent requests, so both workers answer some.
    with ThreadPoolExecutor(max_workers=8) as pool:
        for _status, body in pool.map(get, [base + "/test-worker/"] * 40):
            report = json.loads(body)
            workers[report["pid"]] = report["frozen"]
    assert master.pid not in workers
    for pid, frozen in workers.items():
        assert frozen > APPLICATION_OBJECTS, f"worker {pid}: only {frozen} objects frozen"


def test_workers_forked_from_the_loaded_application_serve_pages_from_the_database(
    gunicorn, home_page
):
    base, _master = gunicorn
    # Concurrent page views in both workers: each has a database connection of its own (a
    # connection opened in the master and shared by the forks would garble the answers).
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(get, [base + "/"] * 40))
    assert {status for status, _ in answers} == {200}
    assert all(home_page.title.encode() in body for _, body in answers)
