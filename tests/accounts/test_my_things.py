"""One place for "my" things: submissions with their status, event bookings, email updates, a
data download; and signed-in people do not retype their name, email and organisation."""

import json

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import User

from events.models import Registration
from newsletters.models import Subscriber
from practice.models import PracticePage
from taxonomy.models import JobRole, Organisation, OrganisationMembership

pytestmark = pytest.mark.django_db

EMAIL = "sam@kent.police.uk"


@pytest.fixture
def kent():
    return Organisation.objects.get(slug="kent-police")


@pytest.fixture
def sam(kent):
    user = User.objects.create_user(
        "sam", EMAIL, "a-long-passphrase-1", first_name="Sam", last_name="Officer"
    )
    EmailAddress.objects.create(user=user, email=EMAIL, verified=True, primary=True)
    OrganisationMembership.objects.create(user=user, organisation=kent)
    return user


@pytest.fixture
def things(sam, kent, make_practice, make_event, practice_index):
    published = make_practice(title="Published practice by Sam", owner=sam)
    draft = PracticePage(
        title="Draft practice by Sam", summary="x", force=kent, owner=sam, live=False
    )
    practice_index.add_child(instance=draft)
    event = make_event(title="Sam's webinar")
    Registration.objects.create(
        event=event,
        name="Sam Officer",
        email=EMAIL,
        organisation=kent,
        role=JobRole.objects.first(),
        status=Registration.Status.CONFIRMED,
    )
    Subscriber.objects.create(email=EMAIL, organisation_type="force", status="active")
    make_practice(title="Someone else's practice")
    return published, draft, event


def test_the_account_page_lists_my_things(client, sam, things, django_assert_max_num_queries):
    client.force_login(sam)
    with django_assert_max_num_queries(25):
        html = client.get("/account/").content.decode()
    assert "Published practice by Sam" in html and "Published" in html
    assert "Draft practice by Sam" in html and "Draft" in html
    assert "Someone else" not in html
    assert "Sam&#x27;s webinar" in html and "Confirmed" in html
    assert 'href="/event-registrations/' in html
    assert "Active" in html


def test_an_unverified_or_blank_email_opens_nobody_s_bookings(client, kent, make_event):
    """An account made in the admin with an address it never verified (or none) sees no
    registrations: not that address's, nor the anonymised ones whose address was erased."""
    event = make_event(title="Hearing the child")
    for email in ("victim@kent.police.uk", ""):
        Registration.objects.create(
            event=event,
            name="Someone",
            email=email,
            organisation=kent,
            role=JobRole.objects.first(),
            status=Registration.Status.CONFIRMED,
        )
    for address in ("victim@kent.police.uk", ""):
        user = User.objects.create_user(f"made-{address or 'blank'}", address, "a-passphrase-2")
        client.force_login(user)
        assert "Hearing the child" not in client.get("/account/").content.decode()


def test_my_data_downloads_as_json(client, sam, things):
    client.force_login(sam)
    response = client.get("/account/data.json")
    assert response["Content-Disposition"].startswith("attachment")
    data = json.loads(response.content)
    assert data["account"]["email"] == EMAIL
    assert data["membership"]["organisation"] == "Kent Police"
    assert {s["title"] for s in data["submissions"]} == {
        "Published practice by Sam",
        "Draft practice by Sam",
    }
    assert data["event_registrations"][0]["event"] == "Sam's webinar"
    assert data["subscriptions"][0]["status"] == "active"


def test_signed_in_forms_are_prefilled(client, sam, kent, make_event, make_practice):
    event = make_event(title="Prefilled webinar")
    practice = make_practice(title="Contactable practice")
    client.force_login(sam)
    event_html = client.get(event.url).content.decode()
    assert f'value="{EMAIL}"' in event_html
    assert 'value="Sam Officer"' in event_html
    assert f'value="{kent.pk}" selected' in event_html
    practice_html = client.get(practice.url).content.decode()
    assert f'value="{EMAIL}"' in practice_html and 'value="Kent Police"' in practice_html
    subscribe_html = client.get("/newsletters/subscribe/").content.decode()
    assert f'value="{EMAIL}"' in subscribe_html


def test_signed_out_forms_are_empty(client, make_event):
    event = make_event(title="Anyone's webinar")
    assert f'value="{EMAIL}"' not in client.get(event.url).content.decode()


def test_my_data_includes_second_factors_and_single_sign_on_but_no_secret(client, sam):
    from allauth.mfa.models import Authenticator
    from allauth.socialaccount.models import SocialAccount

    Authenticator.objects.create(user=sam, type="totp", data={"secret": "JBSWY3DPEHPK3PXP"})
    SocialAccount.objects.create(
        user=sam, provider="kent", uid="sub-123", extra_data={"name": "Sam Officer"}
    )
    client.force_login(sam)
    response = client.get("/account/data.json")
    data = json.loads(response.content)
    assert [a["type"] for a in data["two_factor"]] == ["TOTP Authenticator"]
    assert data["single_sign_on"][0]["identifier"] == "sub-123"
    assert data["single_sign_on"][0]["details"] == {"name": "Sam Officer"}
    assert "JBSWY3DPEHPK3PXP" not in response.content.decode()
