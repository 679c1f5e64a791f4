"""Membership stays true: yearly re-confirmation by email, lapsing when not re-confirmed or when
the address hard-bounces (police access goes, the account stays), revoking in the admin, and
deleting an account."""

import datetime as dt

import pytest
from allauth.account.models import EmailAddress
from anymail.signals import AnymailTrackingEvent, tracking
from django.contrib.auth.models import User
from django.utils import timezone

from accounts import tasks
from portal.visibility import POLICE_GROUP, police_group
from taxonomy.models import Organisation, OrganisationMembership

from .conftest import links_in, path_of

pytestmark = pytest.mark.django_db

EMAIL = "sam@kent.police.uk"


@pytest.fixture
def member(db):
    user = User.objects.create_user("sam", EMAIL, "a-long-passphrase-1")
    EmailAddress.objects.create(user=user, email=EMAIL, verified=True, primary=True)
    user.groups.add(police_group())
    OrganisationMembership.objects.create(
        user=user,
        organisation=Organisation.objects.get(slug="kent-police"),
        basis=OrganisationMembership.Basis.EMAIL_DOMAIN,
        email=EMAIL,
        verified_at=timezone.now() - dt.timedelta(days=366),
    )
    return user


def is_police(user):
    return user.groups.filter(name=POLICE_GROUP).exists()


def test_a_year_on_the_member_is_asked_and_the_link_renews_the_membership(client, sink, member):
    assert tasks.reconfirm_memberships() == {"asked": 1, "lapsed": 0}
    ((recipients, message),) = sink.wait_for(1)
    assert recipients == [EMAIL]
    assert "Kent Police" in message["Subject"]
    (link,) = links_in(message, "/account/reconfirm/")

    # Asked once, however often beat runs.
    assert tasks.reconfirm_memberships() == {"asked": 0, "lapsed": 0}
    page = client.get(path_of(link))
    assert page.status_code == 200
    assert "Yes, I still work there" in page.content.decode()
    assert client.post(path_of(link)).status_code == 302
    renewed = OrganisationMembership.objects.get(user=member)
    assert renewed.verified_at > timezone.now() - dt.timedelta(minutes=5)
    assert is_police(member)


def test_a_bad_reconfirmation_link_changes_nothing(client, member):
    response = client.post("/account/reconfirm/not-a-token/")
    assert response.status_code == 404
    assert "expired" in response.content.decode()


def test_not_reconfirming_in_time_takes_police_access_but_not_the_account(sink, member):
    OrganisationMembership.objects.filter(user=member).update(
        verified_at=timezone.now() - dt.timedelta(days=400),
        reconfirm_sent_at=timezone.now() - dt.timedelta(days=29),
    )
    assert tasks.reconfirm_memberships()["lapsed"] == 1
    assert not is_police(member)
    assert not OrganisationMembership.objects.filter(user=member).exists()
    assert User.objects.filter(pk=member.pk).exists()
    assert EmailAddress.objects.filter(user=member, email=EMAIL).exists()


def test_a_hard_bounce_takes_police_access(member):
    event = AnymailTrackingEvent(event_type="bounced", recipient=EMAIL, reject_reason="bounced")
    tracking.send(sender=object, event=event, esp_name="Postmark")
    assert not is_police(member)
    assert not OrganisationMembership.objects.filter(user=member).exists()


def test_a_soft_bounce_does_not(member):
    event = AnymailTrackingEvent(
        event_type="bounced",
        recipient=EMAIL,
        reject_reason="bounced",
        esp_event={"Type": "SoftBounce"},
    )
    tracking.send(sender=object, event=event, esp_name="Postmark")
    assert is_police(member)


def test_the_team_sees_members_per_force_and_revokes(admin_client, member):
    listing = admin_client.get(
        "/admin/snippets/taxonomy/organisationmembership/",
        {"organisation": Organisation.objects.get(slug="kent-police").pk},
    )
    html = listing.content.decode()
    assert "sam" in html and "Verified work email address" in html
    membership = OrganisationMembership.objects.get(user=member)
    url = f"/admin/snippets/taxonomy/organisationmembership/delete/{membership.pk}/"
    assert admin_client.post(url).status_code == 302
    assert not is_police(member)


def test_deleting_an_account_deletes_its_personal_data(client, member):
    client.force_login(member)
    response = client.post("/account/delete/", {})
    assert response.status_code == 400
    assert "Confirm that you want to delete your account" in response.content.decode()
    assert User.objects.filter(pk=member.pk).exists()

    response = client.post("/account/delete/", {"confirm": "on"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=member.pk).exists()
    assert not EmailAddress.objects.filter(email=EMAIL).exists()
    assert not OrganisationMembership.objects.filter(email=EMAIL).exists()
    assert "_auth_user_id" not in client.session
