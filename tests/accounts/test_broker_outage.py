"""A sign-up made while the Celery broker is down succeeds as usual, and its confirmation email
arrives, once, when the broker is back (the outbox). A real worker with its embedded beat and
a real Redis broker of the test's own, killed in the middle of the sign-up."""

import pytest
from allauth.account.models import EmailAddress

from accounts.models import HeldEmail
from portal.models import OutboxMessage
from tests.events.test_broker_outage import kill_broker_when_saved
from tests.workers import wait_for, wait_until_idle

from .conftest import confirm_from_email, sign_up

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_sign_up_while_the_broker_is_down_succeeds_and_is_emailed_once_it_is_back(
    broker, worker_with_beat, sink, client, kent
):
    # The pipeline works with the broker up.
    assert sign_up(client, "before@kent.police.uk").status_code == 302
    assert wait_for(lambda: sink.per_recipient()["before@kent.police.uk"] == 1)

    disconnect = kill_broker_when_saved(HeldEmail, broker)
    try:
        response = sign_up(client, "during@kent.police.uk")
    finally:
        disconnect()
    # The person sees the usual answer: check your email.
    assert response.status_code == 302
    assert "Verify" in client.get(response["Location"]).content.decode()
    assert EmailAddress.objects.filter(email="during@kent.police.uk").exists()
    assert OutboxMessage.objects.filter(published_at__isnull=True).count() == 1

    broker.start()
    assert wait_for(lambda: sink.per_recipient()["during@kent.police.uk"] == 1, timeout=120), (
        "the confirmation held back by the outage never arrived"
    )
    wait_until_idle()
    assert sink.per_recipient() == {"before@kent.police.uk": 1, "during@kent.police.uk": 1}
    assert not HeldEmail.objects.exists()

    # Its link works: the address is confirmed and the person is a Kent member.
    confirm_from_email(client, sink, "during@kent.police.uk", 2)
    address = EmailAddress.objects.get(email="during@kent.police.uk")
    assert address.verified
    assert address.user.organisation_membership.organisation == kent
