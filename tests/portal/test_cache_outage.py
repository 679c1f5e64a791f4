"""The cache is never a single point of failure: with its Redis killed mid-run, public pages
are still served (uncached, the outage logged once rather than per request), the public forms
still work, and the sign-in lockout still holds, because its attempts are in the database."""

import logging
import re

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client

from events.models import Registration
from newsletters.models import Subscriber
from tests.redis_server import private_redis

pytestmark = [pytest.mark.django_db]

OUTAGE_LOGGER = "portal.cache"
RIGHT = "the-right-password-1"


@pytest.fixture
def cache_redis(settings, tmp_path, eager_celery):
    """The default cache (and so rate limits) on a redis-server of this test's own."""
    with private_redis(tmp_path) as server:
        settings.CACHES = {
            alias: {**config, "LOCATION": f"{server.url}/0"}
            for alias, config in settings.CACHES.items()
        }
        yield server
        forget_outage(server.url)


def forget_outage(url):
    """A later test may get the same port: it must not inherit this one's outage or the
    counts kept in memory during it."""
    from django.core.cache import caches

    from portal import cache as resilient

    for alias in ("default", "ratelimit"):
        fallback = getattr(caches[alias], "fallback", None)
        if fallback is not None:
            fallback.clear()
    resilient._outages.pop(f"{url}/0", None)


@pytest.fixture
def eager_celery(settings):
    from portal.celery import app

    previous = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = previous


@pytest.fixture
def site(make_event, make_practice):
    from search.models import GlossaryTerm

    GlossaryTerm.objects.get_or_create(
        term="CSE", defaults={"meaning": "Child sexual exploitation"}
    )
    return {"event": make_event(capacity=5), "practice": make_practice()}


def public_paths(site):
    return [
        "/",
        "/practice/",
        site["practice"].url,
        "/events/",
        site["event"].url,
        "/events/feed.ics",
        "/search/?q=missing",
        "/glossary/",
        "/newsletters/",
        "/newsletters/subscribe/",
        "/recommendations/",
        "/forces/",
        "/sitemap.xml",
        "/privacy/",
    ]


def csrf_token(response):
    """The form's CSRF token; empty for the public forms that need none (cached pages)."""
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode())
    return found[1] if found else ""


def register(client, event, email):
    from taxonomy.models import JobRole, Organisation

    page = client.get(event.url)
    assert page.status_code == 200
    return client.post(
        event.url,
        {
            "csrfmiddlewaretoken": csrf_token(page),
            "name": "Sam Officer",
            "email": email,
            "organisation": Organisation.objects.get(slug="avon-and-somerset-constabulary").pk,
            "role": JobRole.objects.get(slug="response-officer").pk,
            "consent_to_contact": "on",
        },
    )


def subscribe(client, email):
    page = client.get("/newsletters/subscribe/")
    assert page.status_code == 200
    return client.post(
        "/newsletters/subscribe/",
        {
            "csrfmiddlewaretoken": csrf_token(page),
            "email": email,
            "organisation_type": "force",
            "criteria": ["initial-contact"],
            "frequency": "weekly",
        },
    )


def sign_in(client, login, password, address="203.0.113.10"):
    page = client.get("/account/login/", REMOTE_ADDR=address)
    token = csrf_token(page) if page.status_code == 200 else ""
    return client.post(
        "/account/login/",
        {"csrfmiddlewaretoken": token, "login": login, "password": password},
        REMOTE_ADDR=address,
    )


def make_user(username):
    from allauth.account.models import EmailAddress

    email = f"{username}@ncpi.example"
    user = User.objects.create_user(username, email, RIGHT)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return email


@pytest.fixture
def loose_allauth_limit(settings):
    """allauth stops an account after five wrong passwords (counted in the cache), before
    axes' ten: loosened, so that these tests see axes' lockout, kept in the database."""
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "1000/m/ip,1000/m/key"}


def test_pages_and_forms_work_before_during_and_after_a_cache_outage(
    cache_redis, site, settings, caplog, django_capture_on_commit_callbacks
):
    from search.models import SearchQuery

    # As in production: search pages are kept in the cache (search/results_cache.py).
    settings.SEARCH_RESULTS_CACHE = True
    client = Client(enforce_csrf_checks=True)
    for path in public_paths(site):
        assert client.get(path).status_code == 200, path

    cache_redis.stop()
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        for _ in range(3):
            for path in public_paths(site):
                response = client.get(path)
                assert response.status_code == 200, path
        with django_capture_on_commit_callbacks(execute=True):
            registered = register(client, site["event"], "during.outage@avon.police.uk")
        assert registered.status_code == 302
        assert client.get(registered["Location"]).status_code == 200
        with django_capture_on_commit_callbacks(execute=True):
            subscribed = subscribe(client, "during.outage@example.org")
        assert subscribed.status_code == 302

    # Every search was logged, kept page or not: once before the outage, three times in it.
    assert SearchQuery.objects.filter(query="missing").count() == 4
    registration = Registration.objects.get(email="during.outage@avon.police.uk")
    assert registration.status == Registration.Status.CONFIRMED
    assert Subscriber.objects.filter(email="during.outage@example.org").exists()
    recipients = [message.to[0] for message in mail.outbox]
    assert "during.outage@avon.police.uk" in recipients
    assert "during.outage@example.org" in recipients
    # Dozens of requests met the outage; the log says so once, not once per request.
    outage_lines = [r for r in caplog.records if r.name == OUTAGE_LOGGER]
    assert len(outage_lines) == 1, [r.getMessage() for r in caplog.records]
    assert "unreachable" in outage_lines[0].getMessage()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]

    # Back again: cached as before, and the recovery is logged once too.
    cache_redis.start()
    caplog.clear()
    with caplog.at_level(logging.INFO, logger=OUTAGE_LOGGER):
        from django.core.cache import cache

        assert _eventually(lambda: cache.set("probe", 1) is not False and cache.get("probe"))
        for path in public_paths(site):
            assert client.get(path).status_code == 200, path
    assert len([r for r in caplog.records if r.name == OUTAGE_LOGGER]) == 1


def _eventually(condition, timeout=30):
    from tests.workers import wait_for

    return wait_for(condition, timeout)


def test_the_sign_in_lockout_holds_through_a_cache_outage(
    cache_redis, settings, loose_allauth_limit
):
    editor = make_user("editor")
    client = Client(enforce_csrf_checks=True)
    half = settings.AXES_FAILURE_LIMIT // 2
    for n in range(half):
        assert sign_in(client, editor, f"guess-{n}", f"198.51.100.{n}").status_code == 200

    # The attempts made before the outage still count, and so do those made during it.
    cache_redis.stop()
    for n in range(half, settings.AXES_FAILURE_LIMIT):
        sign_in(client, editor, f"guess-{n}", f"198.51.100.{n}")
    response = sign_in(client, editor, RIGHT, "192.0.2.77")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session

    # And when the cache comes back the lockout has not been forgotten.
    cache_redis.start()
    response = sign_in(client, editor, RIGHT, "192.0.2.78")
    assert response.status_code == 429


def test_a_lockout_made_during_an_outage_outlasts_it_and_signing_in_works_otherwise(
    cache_redis, settings, loose_allauth_limit
):
    editor, other = make_user("editor"), make_user("other")
    cache_redis.stop()
    client = Client(enforce_csrf_checks=True)
    # Someone who knows their password signs in while the cache is down.
    response = sign_in(client, other, RIGHT, "192.0.2.10")
    assert response.status_code == 302
    assert "_auth_user_id" in client.session

    guesser = Client(enforce_csrf_checks=True)
    for n in range(settings.AXES_FAILURE_LIMIT):
        sign_in(guesser, editor, f"guess-{n}", f"198.51.100.{n}")
    cache_redis.start()
    assert sign_in(Client(), editor, RIGHT, "192.0.2.99").status_code == 429


def test_rate_limits_still_hold_during_an_outage(cache_redis, django_capture_on_commit_callbacks):
    """Counted in each process's memory while the cache is down: the sign-up limit (10 an
    hour from one address) still stops the eleventh, rather than stopping everyone or no one."""
    from newsletters.views import SUBSCRIBE_RATE

    limit = int(SUBSCRIBE_RATE.split("/")[0])
    cache_redis.stop()
    client = Client(enforce_csrf_checks=True)
    for n in range(limit):
        with django_capture_on_commit_callbacks(execute=True):
            assert subscribe(client, f"person{n}@example.org").status_code == 302
    assert subscribe(client, "one.too.many@example.org").status_code == 429
    assert not Subscriber.objects.filter(email="one.too.many@example.org").exists()
