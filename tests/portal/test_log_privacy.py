"""Signed tokens, search words and email addresses stay out of the logs: Django's request
warnings, the development server's lines and gunicorn's access log (Celery's worker log is
covered in tests/newsletters/test_worker_logs.py)."""

import contextlib
import io
import json
import logging
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml
from django.core import signing
from django.db import connection

from events.models.registrations import MANAGE_SALT
from newsletters import links
from portal.logs import RedactingFilter
from tests.smtp import free_port

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def newsletter_token():
    # Signed like a real link, for a subscriber that does not exist: the page answers 404.
    return signing.dumps([987654, "a-secret-token"], salt=links.MANAGE_SALT, compress=True)


def registration_token():
    return signing.Signer(salt=MANAGE_SALT).sign_object(987654)


@contextlib.contextmanager
def configured_log():
    """What the handler configured by LOGGING writes, while the block runs."""
    handlers = [
        handler
        for handler in logging.getLogger().handlers
        if any(isinstance(f, RedactingFilter) for f in handler.filters)
    ]
    assert handlers, "LOGGING gives the root logger no redacting handler"
    stream = io.StringIO()
    previous = [handler.setStream(stream) for handler in handlers]
    try:
        yield stream
    finally:
        for handler, old in zip(handlers, previous, strict=True):
            handler.setStream(old)


def test_not_found_warnings_for_signed_links_carry_no_token(client):
    newsletter, registration = newsletter_token(), registration_token()
    with configured_log() as log:
        assert client.get(f"/newsletters/manage/{newsletter}/").status_code == 404
        assert client.get(f"/event-registrations/{registration}/").status_code == 404
        assert client.get(f"/newsletters/unsubscribe/{newsletter}x/").status_code == 404
    lines = log.getvalue()
    assert "Not Found: /newsletters/manage/[token]/" in lines
    assert "Not Found: /event-registrations/[token]/" in lines
    assert "Not Found: /newsletters/unsubscribe/" in lines
    for secret in (newsletter, registration, newsletter.rsplit(":", 1)[1]):
        assert secret not in lines


def test_development_server_lines_carry_no_token_search_or_address():
    token = newsletter_token()
    request_line = f"GET /newsletters/confirm/{token}/?q=jane.doe@kent.police.uk HTTP/1.1"
    with configured_log() as log:
        # What runserver's request handler logs for a 404 (django.core.servers.basehttp).
        logging.getLogger("django.server").warning(
            '"%s" %s %s', request_line, "404", "179", extra={"status_code": 404}
        )
    line = log.getvalue()
    assert '"GET /newsletters/confirm/[token]/?q=[redacted] HTTP/1.1" 404 179' in line
    assert token not in line and "jane" not in line


@pytest.fixture
def gunicorn(tmp_path, postgres):
    """gunicorn as the Dockerfile runs it (its config module), on this run's test database."""
    port = free_port()
    output = tmp_path / "gunicorn.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.newsletters.worker_settings",
        "NEWSLETTERS_TEST_DATABASE_NAME": connection.settings_dict["NAME"],
        "NEWSLETTERS_TEST_SMTP_PORT": "25",
        "PYTHONPATH": str(ROOT),
    }
    with open(output, "wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "portal.wsgi:application",
                "--config=python:portal.gunicorn_conf",
                f"--bind=127.0.0.1:{port}",
                "--workers=1",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("gunicorn did not start:\n" + output.read_text())
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}", output
    finally:
        process.terminate()
        process.wait(timeout=30)


def wait_for_line(path, text, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        content = path.read_text(errors="replace")
        if text in content:
            return content
        time.sleep(0.1)
    pytest.fail(f"No {text!r} in the log:\n{path.read_text(errors='replace')}")


def test_the_gunicorn_access_log_carries_no_token_search_or_address(gunicorn):
    base, output = gunicorn
    newsletter, registration = newsletter_token(), registration_token()
    request = urllib.request.Request(
        f"{base}/newsletters/manage/{newsletter}/?q=jane.doe%40kent.police.uk&theme=training",
        headers={"Referer": f"{base}/event-registrations/{registration}/"},
    )
    with pytest.raises(urllib.error.HTTPError) as answer:
        urllib.request.urlopen(request, timeout=30)  # noqa: S310 - a local test server
    assert answer.value.code == 404
    log = wait_for_line(output, '" 404 ')
    access = next(line for line in log.splitlines() if '" 404 ' in line)
    assert '"GET /newsletters/manage/[token]/?q=[redacted]&theme=training HTTP/1.1" 404' in access
    assert f'"{base}/event-registrations/[token]/"' in access
    assert "Not Found: /newsletters/manage/[token]/" in log
    for secret in (newsletter, registration, "jane.doe", "kent.police"):
        assert secret not in log


def test_the_production_image_and_stack_run_gunicorn_with_that_config():
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    cmd = json.loads(next(line for line in dockerfile.splitlines() if line.startswith("CMD "))[4:])
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    for command in (cmd, compose["services"]["web"]["command"]):
        assert command[0] == "gunicorn"
        assert "--config=python:portal.gunicorn_conf" in command


def test_the_stacks_logs_are_rotated_not_kept_for_ever():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    for name in ("web", "worker", "mailer", "beat"):
        options = compose["services"][name]["logging"]["options"]
        assert options["max-size"] and int(options["max-file"]) >= 1, name
