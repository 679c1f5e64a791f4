"""The email provider's webhook suppresses subscribers only for authenticated posts: HTTP basic
auth with ANYMAIL's WEBHOOK_SECRET, and the provider's signature where it signs
(portal/webhooks.py). Test settings configure Postmark with a secret, as production settings
require; production's refusal to start without one is in test_production_settings.py."""

import base64
import hashlib
import hmac
import json

import pytest
from django.test import Client
from django.utils import timezone

from newsletters.models import Subscriber
from portal.webhooks import tracking_webhook_urlpatterns

pytestmark = pytest.mark.django_db

POSTMARK = "/anymail/postmark/tracking/"


@pytest.fixture
def secret(settings):
    """The secret the test settings configure, as production's ANYMAIL_WEBHOOK_SECRET does."""
    return settings.ANYMAIL["WEBHOOK_SECRET"]


@pytest.fixture
def subscriber():
    return Subscriber.objects.create(
        email="officer@force.police.example",
        organisation_type="force",
        status=Subscriber.Status.ACTIVE,
        confirmed_at=timezone.now(),
    )


def basic_auth(credentials):
    return "Basic " + base64.b64encode(credentials.encode()).decode()


def hard_bounce(client, email, **headers):
    payload = {
        "RecordType": "Bounce",
        "Type": "HardBounce",
        "Email": email,
        "MessageID": "a",
        "BouncedAt": "2026-01-01T00:00:00Z",
    }
    return client.post(POSTMARK, json.dumps(payload), content_type="application/json", **headers)


def status_of(subscriber):
    return Subscriber.objects.get(pk=subscriber.pk).status


def wrong_credentials(secret, case):
    user, password = secret.split(":", 1)
    return {
        "no credentials": {},
        "wrong password": {"HTTP_AUTHORIZATION": basic_auth(f"{user}:{password}x")},
        "wrong user": {"HTTP_AUTHORIZATION": basic_auth(f"x{user}:{password}")},
        "not basic auth": {"HTTP_AUTHORIZATION": f"Bearer {password}"},
    }[case]


@pytest.mark.parametrize(
    "case", ["no credentials", "wrong password", "wrong user", "not basic auth"]
)
def test_unauthenticated_posts_are_refused_and_suppress_nobody(client, subscriber, secret, case):
    response = hard_bounce(client, subscriber.email, **wrong_credentials(secret, case))
    assert response.status_code == 400
    assert status_of(subscriber) == Subscriber.Status.ACTIVE


def test_an_authenticated_post_suppresses(subscriber, secret):
    # The provider sends no CSRF token: the webhook is exempt, its basic auth is the check.
    client = Client(enforce_csrf_checks=True)
    response = hard_bounce(client, subscriber.email, HTTP_AUTHORIZATION=basic_auth(secret))
    assert response.status_code == 200
    assert status_of(subscriber) == Subscriber.Status.SUPPRESSED


def test_without_a_secret_nobody_is_suppressed(client, settings, subscriber):
    settings.ANYMAIL = {"POSTMARK_SERVER_TOKEN": "a-server-token"}
    response = hard_bounce(client, subscriber.email)
    assert response.status_code == 404
    assert status_of(subscriber) == Subscriber.Status.ACTIVE


def test_only_the_configured_providers_tracking_webhook_is_served(client, secret):
    for path in [
        "/anymail/mailgun/tracking/",
        "/anymail/sendgrid/tracking/",
        "/anymail/postmark/inbound/",
    ]:
        response = client.post(
            path, "{}", content_type="application/json", HTTP_AUTHORIZATION=basic_auth(secret)
        )
        assert response.status_code == 404


def test_plain_smtp_has_no_webhook():
    assert [pattern.name for pattern in tracking_webhook_urlpatterns("postmark")] == [
        "postmark_tracking_webhook"
    ]
    assert tracking_webhook_urlpatterns("smtp") == []


MAILGUN_KEY = "mailgun-webhook-signing-key"


def mailgun_complaint(email, key=MAILGUN_KEY):
    timestamp, token = "1767225600", "a" * 50
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256)
    return json.dumps(
        {
            "signature": {
                "timestamp": timestamp,
                "token": token,
                "signature": signature.hexdigest(),
            },
            "event-data": {"event": "complained", "recipient": email, "timestamp": 1767225600},
        }
    )


@pytest.fixture
def mailgun(settings, subscriber, secret):
    """A provider that signs its posts: Mailgun's webhook alone, with its signing key."""
    settings.ROOT_URLCONF = "tests.portal.mailgun_webhook_urls"
    settings.ANYMAIL = {**settings.ANYMAIL, "MAILGUN_WEBHOOK_SIGNING_KEY": MAILGUN_KEY}
    return subscriber


def post_to_mailgun(client, email, key, credentials):
    return client.post(
        "/anymail/mailgun/tracking/",
        mailgun_complaint(email, key=key),
        content_type="application/json",
        HTTP_AUTHORIZATION=basic_auth(credentials),
    )


@pytest.mark.parametrize("case", ["wrong signature", "wrong basic auth"])
def test_a_signing_provider_needs_both_its_signature_and_the_secret(client, mailgun, secret, case):
    key, credentials = {
        "wrong signature": ("someone-elses-key", secret),
        "wrong basic auth": (MAILGUN_KEY, secret + "x"),
    }[case]
    response = post_to_mailgun(client, mailgun.email, key, credentials)
    assert response.status_code == 400
    assert status_of(mailgun) == Subscriber.Status.ACTIVE


def test_a_signed_and_authenticated_complaint_suppresses(client, mailgun, secret):
    response = post_to_mailgun(client, mailgun.email, MAILGUN_KEY, secret)
    assert response.status_code == 200
    assert status_of(mailgun) == Subscriber.Status.SUPPRESSED
