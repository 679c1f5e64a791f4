"""A plain account asks the NCPI team for access with a reason; the team approves or declines
in the admin, and the person is told by email (through the SMTP sink)."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import User

from accounts.models import AccessRequest
from portal.models import OutboxMessage
from portal.visibility import POLICE_GROUP
from taxonomy.models import Organisation, OrganisationMembership

pytestmark = pytest.mark.django_db


@pytest.fixture
def plain(db):
    user = User.objects.create_user("sam", "sam@gmail.example", "a-long-passphrase-1")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


@pytest.fixture
def kent():
    return Organisation.objects.get(slug="kent-police")


def ask(
    client,
    plain,
    kent,
    reason="Detective in Kent's child exploitation team; my address is a secondment one.",
):
    client.force_login(plain)
    return client.post("/account/request-access/", {"organisation": kent.pk, "reason": reason})


def body_of(message):
    return message.get_body(preferencelist=("plain",)).get_content()


def test_a_plain_account_asks_and_the_team_is_told(client, sink, plain, kent, settings):
    client.force_login(plain)
    assert "Ask the NCPI team for access" in client.get("/account/").content.decode()
    response = ask(client, plain, kent)
    assert response.status_code == 302
    request = AccessRequest.objects.get(user=plain)
    assert request.status == AccessRequest.Status.PENDING
    assert request.organisation == kent
    ((recipients, message),) = sink.wait_for(1)
    assert recipients == [settings.NCPI_TEAM_EMAIL]
    assert "child exploitation team" in body_of(message)
    # Sent through the outbox, after the request was saved, not by SMTP inside the request.
    assert OutboxMessage.objects.get().task == "accounts.tasks.send_held_email"
    # Asking gives nothing yet.
    assert not plain.groups.exists()
    page = client.get("/account/request-access/").content.decode()
    assert "will email you their decision" in page


def test_a_request_without_a_reason_is_refused_with_a_message(client, plain, kent):
    response = ask(client, plain, kent, reason="   ")
    assert response.status_code == 400
    assert "Enter why you need access" in response.content.decode()
    assert not AccessRequest.objects.exists()


def edit_in_admin(admin_client, request, **data):
    url = f"/admin/snippets/accounts/accessrequest/edit/{request.pk}/"
    assert admin_client.get(url).status_code == 200
    form = {"organisation": request.organisation_id or "", "note": "", **data}
    return admin_client.post(url, form)


def test_approving_makes_a_force_member_and_emails_the_person(
    client, admin_client, sink, plain, kent
):
    ask(client, plain, kent)
    sink.wait_for(1)
    request = AccessRequest.objects.get(user=plain)
    response = edit_in_admin(admin_client, request, status="approved", note="Welcome.")
    assert response.status_code == 302

    membership = OrganisationMembership.objects.get(user=plain)
    assert membership.organisation == kent
    assert membership.basis == OrganisationMembership.Basis.ACCESS_REQUEST
    assert plain.groups.filter(name=POLICE_GROUP).exists()
    recipients, message = sink.wait_for(2)[1]
    assert recipients == [plain.email]
    assert "approved" in body_of(message) and "Welcome." in body_of(message)

    # Saving again sends nothing more.
    edit_in_admin(admin_client, request, status="approved", note="Welcome.")
    assert len(sink.messages) == 2


def test_approving_needs_an_organisation(client, admin_client, sink, plain, kent):
    client.force_login(plain)
    client.post("/account/request-access/", {"organisation": "", "reason": "I work there."})
    request = AccessRequest.objects.get(user=plain)
    response = edit_in_admin(admin_client, request, status="approved")
    assert response.status_code == 200
    assert "Choose the organisation" in response.content.decode()
    assert not plain.groups.exists()


def test_declining_grants_nothing_and_says_so(client, admin_client, sink, plain, kent):
    ask(client, plain, kent)
    sink.wait_for(1)
    request = AccessRequest.objects.get(user=plain)
    edit_in_admin(admin_client, request, status="declined", note="Ask your force to join.")
    assert not plain.groups.exists()
    assert not OrganisationMembership.objects.filter(user=plain).exists()
    recipients, message = sink.wait_for(2)[1]
    assert recipients == [plain.email]
    assert "declined" in body_of(message)
