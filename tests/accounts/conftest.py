"""Accounts tests: real email through the SMTP sink, links read out of the real messages."""

import re

import pytest
from django.core.cache import cache

from taxonomy.models import Organisation

PASSWORD = "a-long-work-passphrase-42"


@pytest.fixture(autouse=True)
def clean_cache(redis_available):
    """allauth's rate limits count in this run's own cache database."""
    cache.clear()
    yield
    cache.clear()


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
