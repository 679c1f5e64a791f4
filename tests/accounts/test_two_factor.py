"""Two-factor: the NCPI team cannot use the admin until they have set up an authenticator app
(with recovery codes), a session must have used it, and repeated wrong codes stop signing in.
Codes are computed by pyotp, as an authenticator app would."""

import time

import pyotp
import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Permission, User

# Transactions commit as in production: allauth announces a new authenticator only once its
# transaction has committed.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PASSWORD = "the-right-password-1"
EDITOR = "editor@ncpi.example"


@pytest.fixture(autouse=True)
def second_factor_required(settings, clean_cache):
    settings.ACCOUNTS_ADMIN_REQUIRES_SECOND_FACTOR = True


def make_user(email, admin=False):
    user = User.objects.create_user(email.split("@")[0], email, PASSWORD)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    if admin:
        user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    return user


@pytest.fixture
def editor():
    return make_user(EDITOR, admin=True)


def sign_in(client, email=EDITOR, next_url=None):
    data = {"login": email, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post("/account/login/", data)


def activate_totp(client):
    """Open the set-up page (changing authenticators asks for the password again first), read
    the secret it shows and answer with the app's code."""
    page = client.get("/account/2fa/totp/activate/")
    if page.status_code == 302 and page.url.startswith("/account/reauthenticate/"):
        client.post(page.url, {"password": PASSWORD})
        page = client.get("/account/2fa/totp/activate/")
    assert page.status_code == 200
    secret = client.session["mfa.totp.secret"]
    assert secret in page.content.decode()
    response = client.post("/account/2fa/totp/activate/", {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302
    return secret


def next_code(secret):
    """The app's next code: codes are never accepted twice."""
    return pyotp.TOTP(secret).at(time.time() + 30)


def test_the_admin_is_closed_until_an_authenticator_is_set_up(client, editor):
    sign_in(client)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response.url.startswith("/account/2fa/totp/activate/?next=")
    page = client.get(response.url, follow=True)
    assert "Set up two-factor authentication" in page.content.decode()
    assert "Enter your password" in page.content.decode() or "password" in page.content.decode()

    activate_totp(client)
    assert Authenticator.objects.filter(user=editor, type="totp").exists()
    # Recovery codes come with it, shown once set up.
    assert Authenticator.objects.filter(user=editor, type="recovery_codes").exists()
    codes = client.get("/account/2fa/recovery-codes/")
    assert codes.status_code == 200
    assert client.get("/admin/").status_code == 200


def test_signing_in_asks_for_a_code_and_then_opens_the_admin(client, editor):
    sign_in(client)
    secret = activate_totp(client)
    client.logout()

    response = sign_in(client, next_url="/admin/")
    assert response.status_code == 302
    assert response.url.startswith("/account/2fa/authenticate/")
    assert "_auth_user_id" not in client.session
    response = client.post("/account/2fa/authenticate/", {"code": next_code(secret)})
    assert response.status_code == 302
    assert response.url == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_a_recovery_code_works_once_in_place_of_the_app(client, editor):
    sign_in(client)
    activate_totp(client)
    client.logout()
    recovery = Authenticator.objects.get(user=editor, type="recovery_codes")
    code = recovery.wrap().get_unused_codes()[0]

    sign_in(client)
    assert client.post("/account/2fa/authenticate/", {"code": code}).status_code == 302
    assert "_auth_user_id" in client.session
    client.logout()
    sign_in(client)
    response = client.post("/account/2fa/authenticate/", {"code": code})
    assert response.status_code == 200
    assert "Incorrect code" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_repeated_wrong_codes_stop_signing_in_even_with_the_right_code(client, editor):
    sign_in(client)
    secret = activate_totp(client)
    client.logout()

    sign_in(client)
    for n in range(5):
        response = client.post("/account/2fa/authenticate/", {"code": f"00000{n}"})
        assert "Incorrect code" in response.content.decode()
    response = client.post("/account/2fa/authenticate/", {"code": next_code(secret)})
    assert response.status_code == 200
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_session_that_has_not_used_its_second_factor_is_asked_for_a_code(client, editor):
    sign_in(client)
    secret = activate_totp(client)
    other = type(client)()
    # A session made without the sign-in page (as Wagtail's own forms once did).
    other.force_login(editor)
    response = other.get("/admin/")
    assert response.status_code == 302
    assert response.url.startswith("/account/2fa/reauthenticate/?next=")
    response = other.post(response.url, {"code": next_code(secret)})
    assert response.status_code == 302
    assert other.get("/admin/").status_code == 200


def test_public_accounts_may_opt_in_and_are_then_asked_for_a_code(client):
    make_user("someone@example.org")
    sign_in(client, "someone@example.org")
    page = client.get("/account/2fa/")
    assert page.status_code == 200
    secret = activate_totp(client)
    client.logout()
    response = sign_in(client, "someone@example.org")
    assert response.url.startswith("/account/2fa/authenticate/")
    client.post("/account/2fa/authenticate/", {"code": next_code(secret)})
    assert "_auth_user_id" in client.session


def test_people_without_admin_access_are_not_made_to_set_one_up(client):
    make_user("someone@example.org")
    sign_in(client, "someone@example.org")
    assert client.get("/account/").status_code == 200
    # The admin itself turns them away as before.
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/2fa/" not in response.url


def test_production_requires_a_second_factor_for_the_admin():
    from portal.settings import accounts

    assert accounts.ACCOUNTS_ADMIN_REQUIRES_SECOND_FACTOR is True
