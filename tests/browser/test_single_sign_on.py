"""Single sign-on end to end in headless Chromium, against a real OpenID Connect provider run in
this process (oidc-provider-mock: authorization code flow with PKCE, signed ID tokens, userinfo).
The provider vouches for Kent Police: a verified address at Kent's domain makes a Kent member;
an address it claims at another force's domain is not taken on its word."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import User
from oidc_provider_mock import User as ProviderUser
from oidc_provider_mock import run_server_in_thread

from portal.settings.accounts import sso_origins
from portal.visibility import POLICE_GROUP
from taxonomy.models import Organisation, OrganisationMembership
from tests.browser.test_register_accessibility import assert_no_violations
from tests.newsletters.conftest import eager_celery  # noqa: F401 - allauth emails via the outbox

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    # allauth's emails go through the outbox; its task runs in the live server's thread.
    pytest.mark.usefixtures("eager_celery"),
]

KENT_OFFICER = ProviderUser(
    sub="pat",
    claims={"email": "pat.officer@kent.police.uk", "email_verified": True, "name": "Pat Officer"},
)
ELSEWHERE = ProviderUser(
    sub="lee", claims={"email": "lee@essex.police.uk", "email_verified": True, "name": "Lee"}
)


@pytest.fixture
def provider():
    with run_server_in_thread(user_claims=[KENT_OFFICER, ELSEWHERE]) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture
def kent_sso(settings, provider, redis_available):
    from django.core.cache import cache

    cache.clear()
    kent = Organisation.objects.get(slug="kent-police")
    kent.email_domains = "kent.police.uk"
    kent.save()
    essex = Organisation.objects.get(slug="essex-police")
    essex.email_domains = "essex.police.uk"
    essex.save()
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "APPS": [
                {
                    "provider_id": "kent",
                    "name": "Kent Police",
                    "client_id": "practice-exchange",
                    "secret": "test-client-secret",
                    "settings": {
                        "server_url": provider,
                        "organisation": "kent-police",
                        "oauth_pkce_enabled": True,
                    },
                }
            ]
        }
    }
    directives = dict(settings.CONTENT_SECURITY_POLICY["DIRECTIVES"])
    directives["form-action"] = ["'self'", *sso_origins(settings.SOCIALACCOUNT_PROVIDERS)]
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": directives}
    yield kent
    cache.clear()


def sign_in_with_kent(page, live_server, sub):
    page.goto(live_server.url + "/account/login/")
    assert_no_violations(page)
    page.get_by_role("button", name="Sign in with Kent Police").click()
    # Starting is a button on our page (a POST), never a bare link.
    assert_no_violations(page)
    page.get_by_role("button", name="Continue").click()
    # The provider's own page: choose who signs in.
    page.get_by_role("button", name=sub).click()


def test_a_kent_officer_signs_in_with_kents_provider(kent_sso, live_server, page, home_page):
    sign_in_with_kent(page, live_server, "pat")
    page.wait_for_url(live_server.url + "/account/")
    assert page.get_by_text("Kent Police").first.is_visible()
    assert_no_violations(page)

    user = User.objects.get(email="pat.officer@kent.police.uk")
    membership = OrganisationMembership.objects.get(user=user)
    assert membership.organisation == kent_sso
    assert membership.basis == OrganisationMembership.Basis.SINGLE_SIGN_ON
    assert membership.verified_at is not None
    assert user.groups.filter(name=POLICE_GROUP).exists()


def test_kents_provider_cannot_vouch_for_another_forces_address(
    kent_sso, sink, live_server, page, home_page
):
    sign_in_with_kent(page, live_server, "lee")
    # Not signed in: the address must be confirmed by email, as for any sign-up.
    page.wait_for_url("**/account/confirm-email/**")
    assert_no_violations(page)
    user = User.objects.get(email="lee@essex.police.uk")
    assert not EmailAddress.objects.get(user=user).verified
    assert not user.groups.exists()
    assert not OrganisationMembership.objects.filter(user=user).exists()
    ((recipients, _),) = sink.wait_for(1)
    assert recipients == ["lee@essex.police.uk"]
