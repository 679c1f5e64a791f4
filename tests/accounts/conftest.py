"""Accounts tests: real email through the SMTP sink, links read out of the real messages."""

import re

import pytest
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import connection

from taxonomy.models import Organisation
from tests.events.test_broker_outage import broker, worker_with_beat  # noqa: F401 - fixtures
from tests.newsletters.conftest import eager_celery  # noqa: F401 - used below

PASSWORD = "a-long-work-passphrase-42"
UID = "accounts-tests-outbox"


@pytest.fixture(autouse=True)
def clean_cache(redis_available):
    """allauth's rate limits count in this run's own cache database."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def outbox_sends_when_each_request_ends(request):
    """allauth's emails go through the outbox: published when the request's transaction
    commits, and sent by a task. A test's transaction never commits, so what a request left
    for after the commit runs when the request ends, and tasks run inline (eager Celery).
    Tests with a real worker and broker (`worker_with_beat`) have commits and need neither."""
    if "worker_with_beat" in request.fixturenames:
        yield
        return
    request.getfixturevalue("eager_celery")
    started = {"count": 0}

    def note_where_the_request_starts(**kwargs):
        started["count"] = len(connection.run_on_commit)

    def run_what_the_request_left(**kwargs):
        while len(connection.run_on_commit) > started["count"]:
            _, callback, _ = connection.run_on_commit[started["count"]]
            started["count"] += 1
            callback()

    request_started.connect(note_where_the_request_starts, weak=False, dispatch_uid=UID)
    request_finished.connect(run_what_the_request_left, weak=False, dispatch_uid=UID)
    yield
    request_started.disconnect(dispatch_uid=UID)
    request_finished.disconnect(dispatch_uid=UID)


@pytest.fixture
def kent(db):
    force = Organisation.objects.get(slug="kent-police")
    force.email_domains = "kent.police.uk, kent-police.example"
    force.save()
    return force


@pytest.fixture
def partner(db):
    return Organisation.objects.create(
        name="Northfield Children's Services",
        kind=Organisation.Kind.PARTNER,
        email_domains="northfield.gov.example",
    )


def links_in(message, path_part):
    body = message.get_body(preferencelist=("plain",)).get_content()
    return [url for url in re.findall(r"https?://[^\s>\"]+", body) if path_part in url]


def path_of(url):
    return re.sub(r"^https?://[^/]+", "", url)


def sign_up(client, email, password=PASSWORD):
    return client.post(
        "/account/signup/", {"email": email, "password1": password, "password2": password}
    )


def confirm_from_email(client, sink, email, count):
    """Follow the link in the latest message to `email`: the page it opens, then its button."""
    messages = sink.wait_for(count)
    ours = [m for rcpt, m in messages if email in rcpt]
    assert ours, f"no email to {email}"
    (link,) = links_in(ours[-1], "/account/confirm-email/")
    page = client.get(path_of(link))
    assert page.status_code == 200
    return client.post(path_of(link))
