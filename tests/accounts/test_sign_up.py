"""Signing up with a work email address: nothing works until the emailed link is followed, and
then the address's domain decides what the person belongs to (accounts.membership)."""

import pytest
from django.contrib.auth.models import User

from portal.visibility import POLICE_GROUP, levels_for
from taxonomy.models import OrganisationMembership

from .conftest import PASSWORD, confirm_from_email, sign_up

pytestmark = pytest.mark.django_db


def signed_in(client):
    return "_auth_user_id" in client.session


def test_a_force_address_is_verified_by_its_link_and_makes_a_member_of_that_force(
    client, sink, kent
):
    response = sign_up(client, "Sam.Officer@kent.police.uk")
    assert response.status_code == 302
    assert not signed_in(client)
    user = User.objects.get(email__iexact="sam.officer@kent.police.uk")
    # Before the link is followed the account can do nothing: signing in only resends it.
    response = client.post(
        "/account/login/", {"login": "sam.officer@kent.police.uk", "password": PASSWORD}
    )
    assert not signed_in(client)
    assert not user.groups.exists()

    (message,) = [m for _, m in sink.wait_for(1)][:1]
    assert "Confirm" in message["Subject"] or "confirm" in message["Subject"].lower()
    response = confirm_from_email(client, sink, "sam.officer@kent.police.uk", 1)
    assert response.status_code == 302
    assert signed_in(client)

    membership = OrganisationMembership.objects.get(user=user)
    assert membership.organisation == kent
    assert membership.basis == OrganisationMembership.Basis.EMAIL_DOMAIN
    assert membership.verified_at is not None
    assert user.groups.filter(name=POLICE_GROUP).exists()
    assert "police" in levels_for(user)


def test_a_subdomain_of_a_force_domain_counts_and_national_police_domains_have_no_force(
    client, sink, kent
):
    sign_up(client, "analyst@hq.kent.police.uk")
    confirm_from_email(client, sink, "analyst@hq.kent.police.uk", 1)
    client.logout()
    sign_up(client, "someone@met.pnn.police.uk")
    confirm_from_email(client, sink, "someone@met.pnn.police.uk", 2)

    kent_member = User.objects.get(email="analyst@hq.kent.police.uk")
    assert kent_member.organisation_membership.organisation == kent
    national = User.objects.get(email="someone@met.pnn.police.uk")
    assert national.groups.filter(name=POLICE_GROUP).exists()
    # Police access always has a membership behind it, so that it is re-confirmed yearly.
    membership = OrganisationMembership.objects.get(user=national)
    assert membership.organisation is None
    assert membership.organisation_name == "Police, force not identified"
    assert membership.email == "someone@met.pnn.police.uk"
    assert membership.verified_at is not None


def test_a_partner_address_makes_a_partner_member_without_police_access(client, sink, partner):
    sign_up(client, "social.worker@northfield.gov.example")
    confirm_from_email(client, sink, "social.worker@northfield.gov.example", 1)
    user = User.objects.get(email="social.worker@northfield.gov.example")
    assert user.organisation_membership.organisation == partner
    assert not user.groups.filter(name=POLICE_GROUP).exists()


def test_any_other_address_gets_a_plain_account(client, sink, kent):
    sign_up(client, "someone@gmail.example")
    confirm_from_email(client, sink, "someone@gmail.example", 1)
    assert signed_in(client)
    user = User.objects.get(email="someone@gmail.example")
    assert not user.groups.exists()
    assert not OrganisationMembership.objects.filter(user=user).exists()
    assert "police" not in levels_for(user)


def test_a_lookalike_domain_is_not_police(client, sink, kent):
    sign_up(client, "x@notpolice.uk")
    confirm_from_email(client, sink, "x@notpolice.uk", 1)
    assert not User.objects.get(email="x@notpolice.uk").groups.exists()


def test_a_verified_account_signs_in_with_its_email_address(client, sink, kent):
    sign_up(client, "sam@kent.police.uk")
    confirm_from_email(client, sink, "sam@kent.police.uk", 1)
    client.logout()
    response = client.post("/account/login/", {"login": "SAM@kent.police.uk", "password": "no"})
    assert response.status_code == 200
    assert not signed_in(client)
    response = client.post(
        "/account/login/", {"login": "sam@kent.police.uk", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert signed_in(client)


def test_bad_sign_up_input_gets_a_clear_message_and_creates_nothing(client, kent):
    response = client.post(
        "/account/signup/", {"email": "not-an-address", "password1": "x", "password2": "y"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert "govuk-error-message" in html
    assert not User.objects.exists()
