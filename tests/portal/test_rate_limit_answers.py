"""Every 429 says when to try again: Retry-After, in seconds, no longer than the limit's period
(portal/ratelimits.py, portal/middleware/retry_after.py)."""

import pytest
from django.core.cache import cache
from django.http import HttpResponse
from django.test import RequestFactory

from newsletters import views as newsletter_views
from portal.middleware.retry_after import RetryAfterMiddleware
from practice import models as practice_models
from search import api as search_api
from search import views as search_views

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clean_cache(redis_available):
    cache.clear()
    yield
    cache.clear()


def retry_after(response):
    assert response.status_code == 429
    return int(response["Retry-After"])


def test_search_page_suggestions_and_api(client, monkeypatch):
    monkeypatch.setattr(search_views, "SEARCH_RATE", "1/m")
    monkeypatch.setattr(search_views, "SUGGEST_RATE", "1/m")
    monkeypatch.setattr(search_api, "API_RATE", "1/m")
    for url in ["/search/?q=missing", "/search/suggest/?q=mis", "/api/v1/search?q=missing"]:
        assert client.get(url).status_code == 200
        assert 0 < retry_after(client.get(url)) <= 60


def test_newsletter_sign_up(client, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(newsletter_views, "SUBSCRIBE_RATE", "1/h")
    data = {
        "email": "officer@force.police.example",
        "organisation_type": "force",
        "criteria": ["initial-contact"],
        "frequency": "weekly",
    }
    with django_capture_on_commit_callbacks(execute=False):
        assert client.post("/newsletters/subscribe/", data).status_code == 302
        response = client.post("/newsletters/subscribe/", data)
    assert 0 < retry_after(response) <= 3600
    assert "Too many requests" in response.content.decode()


def test_contacting_a_practice_originator(
    client, monkeypatch, make_practice, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(practice_models, "CONTACT_RATE", "1/h")
    page = make_practice()
    data = {
        "name": "Sam Partner",
        "email": "sam@council.example",
        "organisation": "Northfield Children's Services",
        "message": "How did you fund it?",
    }
    with django_capture_on_commit_callbacks(execute=False):
        assert client.post(page.url, data).status_code == 302
        response = client.post(page.url, data)
    assert 0 < retry_after(response) <= 3600


def test_registering_for_an_event(
    client, settings, make_event, django_capture_on_commit_callbacks
):
    from taxonomy.models import JobRole, Organisation

    settings.EVENTS_REGISTRATION_RATE = "1/h"
    event = make_event()

    def data(email):
        return {
            "name": "Sam Officer",
            "email": email,
            "organisation": Organisation.objects.get(slug="avon-and-somerset-constabulary").pk,
            "role": JobRole.objects.get(slug="response-officer").pk,
            "consent_to_contact": "on",
        }

    with django_capture_on_commit_callbacks(execute=False):
        assert client.post(event.url, data("a@avon.police.uk")).status_code == 302
        response = client.post(event.url, data("b@avon.police.uk"))
    assert 0 < retry_after(response) <= 3600


def test_any_other_429_gets_a_default_wait(settings):
    settings.RATELIMIT_DEFAULT_RETRY_AFTER = 120
    middleware = RetryAfterMiddleware(lambda request: HttpResponse(status=429))
    assert middleware(RequestFactory().get("/"))["Retry-After"] == "120"
    own = HttpResponse(status=429, headers={"Retry-After": "5"})
    assert RetryAfterMiddleware(lambda request: own)(RequestFactory().get("/")) is own
    assert own["Retry-After"] == "5"
