"""Police whose force is not identified: an address at a national police domain that no force's
email domains name gets police access and a membership without an organisation, which is
re-confirmed, lapses, bounces and is revoked exactly as a force member's is."""

import datetime as dt

import pytest
from anymail.signals import AnymailTrackingEvent, tracking
from django.contrib.auth.models import User
from django.utils import timezone

from accounts import tasks
from portal.visibility import POLICE_GROUP
from taxonomy.models import OrganisationMembership

from .conftest import confirm_from_email, links_in, path_of, sign_up

pytestmark = pytest.mark.django_db

EMAIL = "someone@met.pnn.police.uk"
MEMBERS = "/admin/snippets/taxonomy/organisationmembership/"


@pytest.fixture
def national(client, sink, kent):
    """Signed up and confirmed through the emailed link, a year and a day ago."""
    sign_up(client, EMAIL)
    confirm_from_email(client, sink, EMAIL, 1)
    client.logout()
    user = User.objects.get(email=EMAIL)
    assert is_police(user)
    OrganisationMembership.objects.filter(user=user).update(
        verified_at=timezone.now() - dt.timedelta(days=366)
    )
    return user


def is_police(user):
    return user.groups.filter(name=POLICE_GROUP).exists()


def test_a_year_on_they_are_asked_to_reconfirm_and_the_link_renews_police_access(
    client, sink, national
):
    assert tasks.reconfirm_memberships() == {"asked": 1, "lapsed": 0}
    recipients, message = sink.wait_for(2)[-1]
    assert recipients == [EMAIL]
    assert "do you still work for the police?" in message["Subject"]
    (link,) = links_in(message, "/account/reconfirm/")
    page = client.get(path_of(link))
    assert "Do you still work for the police?" in page.content.decode()
    assert client.post(path_of(link)).status_code == 302
    renewed = OrganisationMembership.objects.get(user=national)
    assert renewed.verified_at > timezone.now() - dt.timedelta(minutes=5)
    assert is_police(national)


def test_not_reconfirming_in_time_takes_police_access(sink, national):
    assert tasks.reconfirm_memberships()["asked"] == 1
    OrganisationMembership.objects.filter(user=national).update(
        reconfirm_sent_at=timezone.now() - dt.timedelta(days=29)
    )
    assert tasks.reconfirm_memberships()["lapsed"] == 1
    assert not is_police(national)
    assert not OrganisationMembership.objects.filter(user=national).exists()
    assert User.objects.filter(pk=national.pk).exists()


def test_a_hard_bounce_takes_police_access(national):
    event = AnymailTrackingEvent(event_type="bounced", recipient=EMAIL, reject_reason="bounced")
    tracking.send(sender=object, event=event, esp_name="Postmark")
    assert not is_police(national)
    assert not OrganisationMembership.objects.filter(user=national).exists()


def test_the_team_sees_them_apart_from_any_force_and_revokes(admin_client, national):
    html = admin_client.get(MEMBERS).content.decode()
    assert EMAIL.split("@")[0] in html or national.username in html
    assert "Police, force not identified" in html
    sorted_by_organisation = admin_client.get(MEMBERS, {"ordering": "organisation__name"})
    assert "Police, force not identified" in sorted_by_organisation.content.decode()

    # The organisation filter offers them as a choice of their own.
    found = admin_client.get(MEMBERS, {"organisation": "null"}).content.decode()
    assert national.username in found
    assert "Verified work email address" in found

    membership = OrganisationMembership.objects.get(user=national)
    response = admin_client.post(f"{MEMBERS}delete/{membership.pk}/")
    assert response.status_code == 302
    assert not is_police(national)


def test_their_account_page_and_download_say_what_they_belong_to(client, national):
    client.force_login(national)
    assert "Police, force not identified" in client.get("/account/").content.decode()
    exported = client.get("/account/data.json").json()
    assert exported["membership"]["organisation"] == "Police, force not identified"
    # Submitting practice is on a force's behalf, so it needs a force.
    assert client.get("/practice/submit/").status_code == 403


def test_a_force_address_verified_later_names_the_force(client, sink, kent, national):
    from allauth.account.models import EmailAddress

    from accounts import membership

    EmailAddress.objects.create(user=national, email="someone@kent.police.uk", verified=True)
    membership.grant(national, "someone@kent.police.uk")
    assert OrganisationMembership.objects.get(user=national).organisation == kent
    # A national address verified again says less than the force: the force stays.
    membership.grant(national, EMAIL)
    assert OrganisationMembership.objects.get(user=national).organisation == kent
