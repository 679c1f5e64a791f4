"""Every page reached by a token in its URL (newsletter and event registration links, the
admin's password reset) is never stored by a browser or shared cache, and its token never
reaches a log line. The URL patterns are walked, so a token URL added later without the
portal.decorators.signed_link decorator, or without a case here, fails this test."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts import lapsing
from events import booking
from events.models import Registration
from events.receipts import received_path
from newsletters import links
from newsletters.models import Subscriber
from portal import redaction
from taxonomy.models import JobRole, Organisation, OrganisationMembership

pytestmark = pytest.mark.django_db


def token_url_names(patterns=None, namespace=""):
    """The names of every URL pattern with a `token` parameter."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from token_url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and "token" in pattern.pattern.regex.groupindex:
            yield f"{namespace}{pattern.name}"


@pytest.fixture
def signed_paths(make_event):
    """A working link for each token URL, by URL name."""
    subscriber = Subscriber.objects.create(
        email="reader@force.police.example",
        organisation_type="force",
        status="pending",
        confirmation_requested_at=timezone.now(),
    )
    past = make_event(start=timezone.now() - dt.timedelta(days=2))
    registration = booking.register(
        past,
        name="Sam Officer",
        email="sam.officer@avon.police.uk",
        organisation=Organisation.objects.get(slug="avon-and-somerset-constabulary"),
        role=JobRole.objects.get(slug="response-officer"),
    )
    Registration.objects.filter(pk=registration.pk).update(status="confirmed")
    manage = registration.manage_token()
    user = get_user_model().objects.create_user("editor", "editor@example.com", "pw")
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    officer = get_user_model().objects.create_user("officer", "sam@avon.police.uk", "pw")
    membership = OrganisationMembership.objects.create(
        user=officer,
        organisation=Organisation.objects.get(slug="avon-and-somerset-constabulary"),
        email="sam@avon.police.uk",
        verified_at=timezone.now(),
    )

    def newsletter(name, salt):
        return reverse(f"newsletters:{name}", args=[links.make_token(subscriber, salt)])

    return {
        "newsletters:confirm": newsletter("confirm", links.CONFIRM_SALT),
        "newsletters:manage": newsletter("manage", links.MANAGE_SALT),
        "newsletters:manage_data": newsletter("manage_data", links.MANAGE_SALT),
        "newsletters:erase": newsletter("erase", links.MANAGE_SALT),
        "newsletters:new_manage_link": newsletter("new_manage_link", links.MANAGE_SALT),
        "newsletters:unsubscribe": newsletter("unsubscribe", links.UNSUBSCRIBE_SALT),
        "events:received": received_path(past),
        "events:manage": reverse("events:manage", args=[manage]),
        "events:feedback": reverse("events:feedback", args=[manage]),
        "events:registration_calendar": reverse("events:registration_calendar", args=[manage]),
        "events:registration_data": reverse("events:registration_data", args=[manage]),
        "events:erase": reverse("events:erase", args=[manage]),
        "accounts:reconfirm": reverse("accounts:reconfirm", args=[lapsing.token_for(membership)]),
        "wagtailadmin_password_reset_confirm": reverse(
            "wagtailadmin_password_reset_confirm",
            args=[uid, default_token_generator.make_token(user)],
        ),
    }


def test_every_token_url_is_covered_here(signed_paths):
    assert sorted(token_url_names()) == sorted(signed_paths)


POST_ONLY = {"newsletters:new_manage_link"}


def test_every_signed_link_page_is_never_cached(client, signed_paths):
    for name, path in signed_paths.items():
        # new_manage_link only takes a POST (it sends an email).
        response = client.post(path) if name in POST_ONLY else client.get(path)
        assert response.status_code in (200, 302), (name, response.status_code)
        cache_control = response.get("Cache-Control", "")
        assert "no-store" in cache_control and "private" in cache_control, name
        if not name.startswith("wagtailadmin"):  # Wagtail's own views: never_cache
            assert getattr(resolve(path).func, "signed_link", False), name


def test_no_signed_link_reaches_a_log_line_whole(signed_paths):
    for name, path in signed_paths.items():
        token = [part for part in path.split("/") if len(part) > 20]
        line = redaction.log_text(f'"GET {path} HTTP/1.1" 200 512 "https://site{path}"')
        assert token and not any(part in line for part in token), (name, line)
