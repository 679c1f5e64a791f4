"""Forgotten passwords: the emailed link sets a new one; asking again and again is throttled."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import User

from .conftest import links_in, path_of

pytestmark = pytest.mark.django_db

EMAIL = "sam@kent.police.uk"


@pytest.fixture
def sam(db):
    user = User.objects.create_user("sam", EMAIL, "old-password-that-is-long")
    EmailAddress.objects.create(user=user, email=EMAIL, verified=True, primary=True)
    return user


def test_the_emailed_link_sets_a_new_password(client, sink, sam):
    response = client.post("/account/password/reset/", {"email": EMAIL})
    assert response.status_code == 302
    ((recipients, message),) = sink.wait_for(1)
    assert recipients == [EMAIL]
    (link,) = links_in(message, "/account/password/reset/key/")

    # The link's page swaps the key for a session and shows the form.
    response = client.get(path_of(link), follow=True)
    assert response.status_code == 200
    form_path = response.redirect_chain[-1][0] if response.redirect_chain else path_of(link)
    response = client.post(
        form_path, {"password1": "a-brand-new-passphrase", "password2": "a-brand-new-passphrase"}
    )
    assert response.status_code == 302
    sam.refresh_from_db()
    assert sam.check_password("a-brand-new-passphrase")

    # The link works once.
    response = client.get(path_of(link), follow=True)
    assert "bad token" in response.content.decode().lower() or "invalid" in (
        response.content.decode().lower()
    )


def test_an_unknown_address_is_told_the_same_and_gets_no_reset_link(client, sink, sam):
    response = client.post("/account/password/reset/", {"email": "nobody@kent.police.uk"})
    assert response.status_code == 302
    messages = sink.wait_for(1, timeout=5)
    # allauth tells the unknown address that no account exists, rather than the visitor.
    assert all(not links_in(m, "/password/reset/key/") for _, m in messages)


def test_resets_for_one_address_are_throttled(client, sink, sam):
    statuses = [
        client.post(
            "/account/password/reset/", {"email": EMAIL}, REMOTE_ADDR=f"198.51.100.{n}"
        ).status_code
        for n in range(5)
    ]
    assert statuses[:3] == [302, 302, 302]
    assert statuses[3:] == [429, 429]
    assert len(sink.wait_for(3)) == 3
    assert len(sink.messages) == 3
