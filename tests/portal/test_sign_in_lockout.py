"""Password guessing: the one sign-in page locks out an account, and an address, after repeated
wrong passwords (django-axes, in the database), beside allauth's own per-account limit (in the
cache); the admin's and Wagtail's sign-in forms lead to it; Wagtail's password reset and
shared-password forms are limited.
"""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Permission, User
from django.core import mail
from django.core.cache import cache
from wagtail.models import PageViewRestriction

pytestmark = pytest.mark.django_db

RIGHT = "the-right-password-1"
SIGN_IN = "/account/login/"
EDITOR = "editor@ncpi.example"


@pytest.fixture(autouse=True)
def clean_cache(redis_available):
    """Rate-limit counters live in this run's own cache database."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def loose_allauth_limit(settings):
    """allauth stops an account after five wrong passwords in five minutes, before axes'
    ten: loosened, so that these tests see axes' lockout alone."""
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "1000/m/ip,1000/m/key"}


def make_user(username, email):
    user = User.objects.create_user(username, email, RIGHT)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


@pytest.fixture
def editor():
    user = make_user("editor", EDITOR)
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    return user


def sign_in(client, login, password, address="203.0.113.10", path=SIGN_IN):
    return client.post(path, {"login": login, "password": password}, REMOTE_ADDR=address)


def signed_in(client):
    return "_auth_user_id" in client.session


@pytest.mark.parametrize("path", ["/admin/login/", "/_util/login/"])
def test_other_sign_in_forms_lead_to_the_one_sign_in_page(client, editor, path):
    response = client.get(f"{path}?next=/admin/pages/")
    assert response.status_code == 302
    assert response.url == "/account/login/?next=%2Fadmin%2Fpages%2F"
    # A password posted to them signs no one in: only the page that asks for a second factor
    # where one is set up does.
    response = client.post(path, {"username": "editor", "password": RIGHT})
    assert response.status_code == 302
    assert not signed_in(client)


def test_wrong_passwords_for_one_account_lock_it_even_from_new_addresses(
    client, settings, editor, loose_allauth_limit
):
    # Each guess from a different address: only counting per account stops this.
    for n in range(settings.AXES_FAILURE_LIMIT - 1):
        response = sign_in(client, EDITOR, f"guess-{n}", address=f"198.51.100.{n}")
        assert response.status_code == 200
        assert not signed_in(client)
    response = sign_in(client, EDITOR, "last-guess", address="198.51.100.200")
    assert response.status_code == 429

    response = sign_in(client, EDITOR, RIGHT, address="192.0.2.77")
    assert response.status_code == 429
    assert not signed_in(client)
    html = response.content.decode()
    assert "Too many sign-in attempts" in html
    assert "govuk-heading-l" in html
    assert response["Retry-After"] == str(int(settings.AXES_COOLOFF_TIME.total_seconds()))


def test_the_account_is_counted_whatever_the_case_of_its_address(
    client, settings, editor, loose_allauth_limit
):
    for n in range(settings.AXES_FAILURE_LIMIT):
        login = EDITOR.upper() if n % 2 else EDITOR
        sign_in(client, login, f"guess-{n}", address=f"198.51.100.{n}")
    assert sign_in(client, EDITOR, RIGHT, address="192.0.2.77").status_code == 429


def test_wrong_passwords_from_one_address_lock_it_out_for_every_account(
    client, settings, editor, loose_allauth_limit
):
    for n in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, f"someone-{n}@example.org", "guess")
    response = sign_in(client, EDITOR, RIGHT)
    assert response.status_code == 429
    assert not signed_in(client)


def test_allauth_stops_guessing_at_one_account_sooner(client, editor):
    """allauth's own limit: five wrong passwords for an account within five minutes, from any
    addresses, and even the right one is refused for a while, with a clear message."""
    for n in range(5):
        response = sign_in(client, EDITOR, f"guess-{n}", address=f"198.51.100.{n}")
        assert "password you specified are not correct" in response.content.decode()
    response = sign_in(client, EDITOR, RIGHT, address="192.0.2.77")
    assert response.status_code == 200
    assert "Too many failed login attempts" in response.content.decode()
    assert not signed_in(client)


def test_other_accounts_and_addresses_are_not_locked_out(
    client, settings, editor, loose_allauth_limit
):
    make_user("officer", "officer@force.police.example")
    for n in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "officer@force.police.example", f"guess-{n}", address=f"198.51.100.{n}")
    response = sign_in(client, EDITOR, RIGHT, address="192.0.2.77")
    assert response.status_code == 302
    assert signed_in(client)


def test_a_few_mistakes_do_not_stop_someone_signing_in(client, editor):
    for n in range(4):
        sign_in(client, EDITOR, f"typo-{n}")
    response = sign_in(client, EDITOR, RIGHT)
    assert response.status_code == 302
    assert signed_in(client)


def test_lockout_holds_without_the_cache(client, settings, editor):
    """Attempts are counted in the database: a cache that remembers nothing (as during an
    outage, when allauth's limit counts nothing) neither lifts a lockout nor prevents one."""
    dummy = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    settings.CACHES = {"default": dummy, "ratelimit": dummy}
    for n in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, EDITOR, f"guess-{n}", address=f"198.51.100.{n}")
    assert sign_in(client, EDITOR, RIGHT).status_code == 429
    assert not signed_in(client)


def test_django_admin_is_not_served(client, admin_client):
    assert client.get("/django-admin/").status_code == 404
    assert client.get("/django-admin/login/").status_code == 404
    assert admin_client.get("/django-admin/").status_code == 404


def test_admin_password_reset_emails_are_limited_per_account(client, editor):
    responses = [
        client.post("/admin/password_reset/", {"email": email})
        for email in ["editor@ncpi.example", "EDITOR@ncpi.example", " editor@NCPI.example"] * 2
    ]
    assert [response.status_code for response in responses] == [302] * 3 + [429] * 3
    assert len(mail.outbox) == 3
    assert 0 < int(responses[-1]["Retry-After"]) <= 3600
    assert "Too many requests" in responses[-1].content.decode()


def test_admin_password_reset_is_limited_per_address(client, editor):
    statuses = [
        client.post("/admin/password_reset/", {"email": f"n{n}@ncpi.example"}).status_code
        for n in range(6)
    ]
    assert statuses == [302] * 5 + [429]
    # Another address may still ask.
    response = client.post(
        "/admin/password_reset/", {"email": "editor@ncpi.example"}, REMOTE_ADDR="192.0.2.5"
    )
    assert response.status_code == 302


@pytest.fixture
def private_page(make_practice):
    page = make_practice(title="Shared-password practice")
    restriction = PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.PASSWORD, password="shared-secret"
    )
    return page, f"/_util/authenticate_with_password/{restriction.pk}/{page.pk}/"


def test_guesses_at_a_page_password_are_limited(client, private_page):
    page, url = private_page
    form = {"return_url": page.url}
    for n in range(10):
        assert client.post(url, {**form, "password": f"guess-{n}"}).status_code == 200
    response = client.post(url, {**form, "password": "shared-secret"})
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 3600
    assert not client.session.get("passed_page_view_restrictions")


def test_the_right_page_password_is_not_counted_as_a_guess(client, private_page):
    page, url = private_page
    for _ in range(12):
        response = client.post(url, {"return_url": page.url, "password": "shared-secret"})
        assert response.status_code == 302
