"""Security headers: the public site's CSP, the admin's own CSP, previews the admin can frame,
Permissions-Policy everywhere, and staff sessions that end when left idle."""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.models import Permission, User

from newsletters.models import NewsletterIssue

pytestmark = pytest.mark.django_db


def directives(response):
    policy = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in policy.split(";") if part.strip())
    }


def test_public_pages_keep_the_strict_policy(client, make_practice):
    page = make_practice()
    response = client.get(page.url)
    policy = directives(response)
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["style-src"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["script-src"]
    # The one inline script is allowed by its hash: a nonce would be shared by the page cache.
    assert policy["script-src"] == [
        "'self'",
        "'sha256-GUQ5ad8JK5KmEWmROf3LZd9ge94daqNvd8xy9YS1iDw='",
    ]
    assert response["X-Frame-Options"] == "DENY"


def test_the_admin_has_a_policy_of_its_own(admin_client):
    response = admin_client.get("/admin/")
    assert response.status_code == 200
    policy = directives(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert response["X-Frame-Options"] == "DENY"
    # The sign-in page too.
    assert "script-src" in directives(admin_client.get("/admin/login/"))


def framable_by_the_admin(response):
    policy = directives(response)
    return policy["frame-ancestors"] == ["'self'"] and response["X-Frame-Options"] == "SAMEORIGIN"


def test_page_previews_can_be_framed_by_the_admin(admin_client, make_practice):
    page = make_practice(title="Link officers for children's homes")
    revision = page.latest_revision
    response = admin_client.get(f"/admin/pages/{page.pk}/revisions/{revision.pk}/view/")
    assert response.status_code == 200
    assert "Link officers for children" in response.content.decode()
    assert framable_by_the_admin(response)
    # Otherwise the public page's policy: scripts by nonce, nothing from elsewhere.
    policy = directives(response)
    assert "'unsafe-inline'" not in policy["script-src"]
    assert policy["default-src"] == ["'self'"]

    # The preview panel's own answer when there is nothing to preview yet is framed too.
    response = admin_client.get(f"/admin/pages/{page.pk}/edit/preview/?in_preview_panel=true")
    assert response.status_code == 200
    assert "Preview not available" in response.content.decode()
    assert framable_by_the_admin(response)


def test_newsletter_previews_allow_the_emails_inline_styles():
    issue = NewsletterIssue.objects.create(title="March newsletter", summary="News.", body=[])
    # What the snippet's preview views answer with (PreviewableMixin.make_preview_request).
    response = issue.make_preview_request()
    assert response.status_code == 200
    assert "March newsletter" in response.content.decode()
    assert framable_by_the_admin(response)
    assert "'unsafe-inline'" in directives(response)["style-src"]


def test_the_public_page_is_not_framable_even_after_a_preview(admin_client, client, make_practice):
    page = make_practice()
    admin_client.get(f"/admin/pages/{page.pk}/edit/preview/")
    assert directives(client.get(page.url))["frame-ancestors"] == ["'none'"]


@pytest.mark.parametrize(
    "path",
    ["/", "/search/?q=missing", "/admin/login/", "/no-such-page/", "/static/portal/portal.css"],
)
def test_every_response_has_a_permissions_policy(client, home_page, path):
    response = client.get(path)
    policy = dict(part.strip().split("=", 1) for part in response["Permissions-Policy"].split(","))
    for feature in ("camera", "microphone", "geolocation", "payment", "usb", "browsing-topics"):
        assert policy[feature] == "()"
    assert policy["interest-cohort"] == "()"


@pytest.fixture
def editor():
    user = User.objects.create_user("editor", "editor@ncpi.example", "an-editor-password")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    return user


def signed_in(client):
    return "_auth_user_id" in client.session


def test_staff_sessions_end_after_30_idle_minutes(client, editor):
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)) as traveller:
        client.force_login(editor)
        assert client.get("/admin/").status_code == 200
        traveller.shift(dt.timedelta(minutes=25))
        assert client.get("/admin/").status_code == 200
        # 25 idle minutes again: the request above counted as activity.
        traveller.shift(dt.timedelta(minutes=25))
        assert client.get("/admin/").status_code == 200
        traveller.shift(dt.timedelta(minutes=31))
        response = client.get("/admin/")
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")
        assert not signed_in(client)


def test_editing_session_pings_do_not_keep_a_staff_session_alive(client, editor):
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)) as traveller:
        client.force_login(editor)
        assert client.get("/admin/").status_code == 200
        for _ in range(4):
            traveller.shift(dt.timedelta(minutes=10))
            client.post("/admin/editing-sessions/release/1/")
        assert client.get("/admin/").status_code == 302
        assert not signed_in(client)


def test_public_sessions_keep_the_default_length(client):
    officer = User.objects.create_user("officer", "officer@force.police.example", "a-password-1")
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)) as traveller:
        client.force_login(officer)
        client.get("/")
        traveller.shift(dt.timedelta(hours=3))
        client.get("/")
        assert signed_in(client)
