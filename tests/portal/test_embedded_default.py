"""The embedded default that `make run` serves: SQLite, tasks inline, emails to a folder.

Runs the real commands in subprocesses with nothing but a fresh SQLite file, as a new user's
machine would, and talks to the real development server over HTTP.
"""

import html
import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from portal.management.commands.load_demo import DEMO_PASSWORD
from tests.conftest import read_jsonl

ROOT = Path(__file__).resolve().parents[2]
SERVICE_VARIABLES = ["DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "EMAIL_URL", "SECRET_KEY"]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def embedded_site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("embedded")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if k not in SERVICE_VARIABLES}
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings.dev",
        # As `make run` sets it: the address the server below answers at.
        PUBLIC_BASE_URL=base,
        DATABASE_URL=f"sqlite:///{tmp / 'db.sqlite3'}",
        EMAIL_FILE_PATH=str(tmp / "emails"),
        MEDIA_ROOT=str(tmp / "media"),
    )

    def manage(*args):
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    manage("migrate", "--no-input")
    output = manage("load_demo")
    assert "Demo content loaded" in output
    # Loading twice changes nothing (make run does it on every start).
    assert "Demo content loaded" in manage("load_demo")

    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/", timeout=2)
            break
        except OSError:
            time.sleep(0.3)
    yield {"base": base, "tmp": tmp, "manage": manage, "env": env}
    server.terminate()
    server.wait(timeout=10)


def fetch(opener, url, data=None):
    body = urllib.parse.urlencode(data).encode() if data else None
    with opener.open(url, data=body, timeout=10) as response:
        return response.status, response.geturl(), response.read().decode()


def test_make_run_serves_demo_content(embedded_site):
    opener = urllib.request.build_opener()
    status, _, home = fetch(opener, embedded_site["base"] + "/")
    assert status == 200
    assert "Safeguarding Practice Exchange" in home
    status, _, practice = fetch(opener, embedded_site["base"] + "/practice/")
    assert status == 200
    assert "(demo)" in practice
    status, _, events = fetch(opener, embedded_site["base"] + "/events/")
    assert status == 200
    # The demo events are moved ahead when loaded, so every one is listed as upcoming.
    for record in read_jsonl(ROOT / "portal" / "demo" / "events.jsonl"):
        assert html.escape(record["title"]) in events, record["title"]
    # ...and the first ones can be booked straight away.
    assert 'govuk-tag--green">Open</strong>' in events
    status, _, login = fetch(opener, embedded_site["base"] + "/admin/login/")
    assert status == 200 and "password" in login.lower()


def test_demo_account_logs_in_to_wagtail_admin(embedded_site):
    """The admin sends the demo account to the portal's sign-in page, then to set up an
    authenticator app (after confirming the password), then opens."""
    import pyotp

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    base = embedded_site["base"]

    def token_of(page):
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    _, url, login = fetch(opener, base + "/admin/")
    assert "/account/login/" in url
    credentials = {"login": "demo@practice-exchange.example", "password": DEMO_PASSWORD}
    _, url, _ = fetch(opener, url, {"csrfmiddlewaretoken": token_of(login), **credentials})
    _, url, confirm = fetch(opener, base + "/admin/")
    assert "/account/reauthenticate/" in url
    data = {"csrfmiddlewaretoken": token_of(confirm), "password": DEMO_PASSWORD}
    _, url, setup = fetch(opener, url, data)
    assert "/account/2fa/totp/activate/" in url
    secret = re.search(r'id="authenticator_secret"[^>]* value="([A-Z2-7]+)"', setup).group(1)
    data = {"csrfmiddlewaretoken": token_of(setup), "code": pyotp.TOTP(secret).now()}
    fetch(opener, base + "/account/2fa/totp/activate/", data)
    status, url, dashboard = fetch(opener, base + "/admin/")
    assert status == 200 and url.rstrip("/").endswith("/admin")
    assert "Dashboard" in dashboard or "Pages" in dashboard


def test_tasks_run_inline_and_emails_are_written_to_a_folder(embedded_site):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    _, _, listing = fetch(opener, embedded_site["base"] + "/practice/")
    main = listing.split("<main", 1)[1]
    first = re.search(r'href="(/practice/(?!submit/)[^"?#]+/)"', main).group(1)
    _, _, page = fetch(opener, embedded_site["base"] + first)
    # The case study page is shared from the page cache: its form has no CSRF token, and its
    # posts are checked by origin (caching/csrf.py).
    assert "csrfmiddlewaretoken" not in page
    status, _, after = fetch(
        opener,
        embedded_site["base"] + first,
        {
            "name": "Demo User",
            "email": "demo.user@example.org",
            "organisation": "Demo Council",
            "message": "A question sent from the embedded default test.",
        },
    )
    assert status == 200 and "Your message has been sent" in after
    emails = list((embedded_site["tmp"] / "emails").glob("*.log"))
    assert len(emails) == 1
    text = emails[0].read_text()
    assert "A question sent from the embedded default test." in text
    # The email links to the page at the address the server answers at.
    assert embedded_site["base"] + first in text


def test_make_run_sets_the_public_base_url_to_the_address_it_serves():
    result = subprocess.run(
        ["make", "-n", "run", "ADDRESS=127.0.0.1:8123"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    commands = [line for line in result.stdout.splitlines() if "manage.py" in line]
    assert commands[-1].endswith("runserver 127.0.0.1:8123")
    assert all(line.startswith("PUBLIC_BASE_URL=http://127.0.0.1:8123 ") for line in commands)


def test_make_run_port_moves_only_the_port():
    result = subprocess.run(
        ["make", "-n", "run", "PORT=8001"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    commands = [line for line in result.stdout.splitlines() if "manage.py" in line]
    assert commands[-1].endswith("runserver 127.0.0.1:8001")
    assert all(line.startswith("PUBLIC_BASE_URL=http://127.0.0.1:8001 ") for line in commands)


def test_importers_print_only_their_own_report(embedded_site):
    """Importing queues tasks (inline here): no library's warning leaks onto the terminal."""
    for command, data in (
        ("import_practice", "sample_data/practice.jsonl"),
        ("import_events", "sample_data/events.jsonl"),
    ):
        result = subprocess.run(
            [sys.executable, "manage.py", command, data],
            cwd=ROOT,
            env=embedded_site["env"],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert "No hostname was supplied" not in result.stdout + result.stderr
        assert result.stderr == "", result.stderr


def test_the_demo_has_programme_pages_and_a_page_for_each_force_sharing_practice(embedded_site):
    opener = urllib.request.build_opener()
    base = embedded_site["base"]
    _, _, inspections = fetch(opener, base + "/inspections/")
    programmes = re.findall(r'href="(/inspections/[a-z-]+-inspections/)"', inspections)
    assert programmes, "the demo's inspections page links no programme page"
    for url in programmes:
        assert fetch(opener, base + url)[0] == 200
    forces = {
        record["force"] for record in read_jsonl(ROOT / "portal" / "demo" / "practice.jsonl")
    }
    _, _, listing = fetch(opener, base + "/forces/")
    for force in forces:
        link = re.search(
            rf'href="(/forces/[a-z0-9-]+/)">{re.escape(html.escape(force))}<', listing
        )
        assert link, force
        status, _, page = fetch(opener, base + link.group(1))
        assert status == 200 and "Practice it has shared" in page, force
        assert "has not shared any practice" not in page
