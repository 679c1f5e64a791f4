"""Signing in, creating an account and submitting practice are reachable from every page, and
restricted pages send anonymous visitors to the portal's sign-in page, which says who can get
in."""

import pytest
from django.contrib.auth.models import User
from wagtail.models import PageViewRestriction

from portal.visibility import police_group

pytestmark = pytest.mark.django_db

HEADER_LINKS = {
    "Sign in": 'href="/account/login/"',
    "Create an account": 'href="/account/signup/"',
    "Submit practice": 'href="/practice/submit/"',
}


@pytest.fixture
def police_only(make_practice):
    page = make_practice(title="Police-only practice")
    restriction = PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.add(police_group())
    return page


def header_of(html):
    return html.split("<main", 1)[0]


@pytest.mark.parametrize(
    "path", ["/", "/search/", "/privacy/", "/account/login/", "/no-such-page/", "/practice/"]
)
def test_every_page_links_to_sign_in_sign_up_and_submit_practice(
    client, make_practice, make_event, path
):
    make_practice()
    response = client.get(path)
    header = header_of(response.content.decode())
    for label, href in HEADER_LINKS.items():
        assert href in header and label in header, f"{label} missing on {path}"


def test_signed_in_people_see_their_account_instead(client, home_page):
    client.force_login(User.objects.create_user("sam", "sam@example.org"))
    header = header_of(client.get("/").content.decode())
    assert 'href="/account/"' in header and "Your account" in header
    assert 'href="/account/login/"' not in header
    assert 'href="/practice/submit/"' in header


def test_a_restricted_page_sends_anonymous_visitors_to_the_portal_sign_in_page(
    client, police_only
):
    response = client.get(police_only.url)
    assert response.status_code == 302
    assert response.url.startswith("/account/login/?next=")
    assert "/_util/login/" not in response.url

    page = client.get(response.url)
    html = page.content.decode()
    assert "for signed-in users only" in html
    assert "Who can have an account" in html
    assert "police.uk" in html
    assert 'href="/account/signup/' in html
    # Nothing of the restricted page reaches the sign-in page.
    assert "Police-only practice" not in html


def test_after_signing_in_a_police_user_lands_on_the_page(client, police_only):
    from allauth.account.models import EmailAddress

    user = User.objects.create_user("sam", "sam@kent.police.uk", "a-long-passphrase-1")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    user.groups.add(police_group())
    sign_in_url = client.get(police_only.url).url
    response = client.post(
        sign_in_url, {"login": user.email, "password": "a-long-passphrase-1"}, follow=True
    )
    assert response.redirect_chain[-1][0] == police_only.url
    assert "Police-only practice" in response.content.decode()
