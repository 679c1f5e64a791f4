"""Behind trusted proxies each visitor has their own rate limits and lockout; in front of none,
X-Forwarded-For is ignored (portal/client_address.py, TRUSTED_PROXY_COUNT)."""

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import RequestFactory

from portal.client_address import client_ip
from search import views as search_views

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"  # every request reaches the portal from the TLS proxy
ALICE = "203.0.113.7"
BOB = "198.51.100.23"


@pytest.fixture(autouse=True)
def clean_cache(redis_available):
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def two_searches_a_minute(monkeypatch):
    monkeypatch.setattr(search_views, "SEARCH_RATE", "2/m")


def search(client, forwarded_for=None):
    headers = {"REMOTE_ADDR": PROXY}
    if forwarded_for is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return client.get("/search/", {"q": "missing"}, **headers).status_code


def test_behind_one_proxy_visitors_are_limited_separately(client, settings, two_searches_a_minute):
    settings.TRUSTED_PROXY_COUNT = 1
    assert [search(client, ALICE) for _ in range(3)] == [200, 200, 429]
    assert search(client, BOB) == 200


def test_a_spoofed_forwarded_for_entry_does_not_escape_the_limit(
    client, settings, two_searches_a_minute
):
    settings.TRUSTED_PROXY_COUNT = 1
    assert [search(client, ALICE) for _ in range(3)] == [200, 200, 429]
    # Alice sends her own X-Forwarded-For; the proxy appends her real address after it.
    assert search(client, f"{BOB}, {ALICE}") == 429
    assert search(client, f"1.2.3.4, {BOB}, {ALICE}") == 429
    assert search(client, f"not-an-address, {ALICE}") == 429
    # ...and Bob's allowance is still his own.
    assert search(client, BOB) == 200


def test_without_trusted_proxies_forwarded_for_is_ignored(client, settings, two_searches_a_minute):
    settings.TRUSTED_PROXY_COUNT = 0
    assert [search(client, ALICE) for _ in range(2)] == [200, 200]
    # Everyone arrives from the same address, whatever they claim.
    assert search(client, BOB) == 429
    assert search(client) == 429


OFFICER = "officer@force.police.example"


def test_behind_one_proxy_the_lockout_counts_each_visitor(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    from allauth.account.models import EmailAddress

    # allauth's own per-account limit would answer first; this test is about axes' count.
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "1000/m/ip,1000/m/key"}
    officer = User.objects.create_user("officer", OFFICER, "right-password-1")
    EmailAddress.objects.create(user=officer, email=OFFICER, verified=True, primary=True)
    for n in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            "/account/login/",
            {"login": f"someone-{n}@example.org", "password": "guess"},
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=ALICE,
        )
    alice = client.post(
        "/account/login/",
        {"login": OFFICER, "password": "right-password-1"},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=f"{BOB}, {ALICE}",
    )
    assert alice.status_code == 429
    bob = client.post(
        "/account/login/",
        {"login": OFFICER, "password": "right-password-1"},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=BOB,
    )
    assert bob.status_code == 302


@pytest.mark.parametrize(
    ("trusted", "forwarded_for", "expected"),
    [
        (0, None, PROXY),
        (0, ALICE, PROXY),
        (1, None, PROXY),
        (1, ALICE, ALICE),
        (1, f"{BOB}, {ALICE}", ALICE),
        (1, "2001:db8::7", "2001:db8::7"),
        (1, "[2001:db8::7]:443", "2001:db8::7"),
        (1, "fe80::7%eth0", "fe80::7"),
        # Two proxies (a CDN, then the TLS proxy): the CDN wrote the visitor's address.
        (2, f"{ALICE}, 192.0.2.1", ALICE),
        (2, f"{BOB}, {ALICE}, 192.0.2.1", ALICE),
        # Fewer entries than proxies: the request skipped one, so nothing in it is believed.
        (2, ALICE, PROXY),
    ],
)
def test_client_address(settings, trusted, forwarded_for, expected):
    settings.TRUSTED_PROXY_COUNT = trusted
    headers = {"REMOTE_ADDR": PROXY}
    if forwarded_for is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded_for
    assert client_ip(RequestFactory().get("/", **headers)) == expected
