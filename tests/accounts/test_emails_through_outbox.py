"""allauth's emails (address confirmations, password resets) are rendered in the request and
sent through the outbox (accounts.emails, portal/outbox.py): the broker or the mail server
being down delays them and never loses them or fails the sign-up, and the links in them reach
neither the broker, the task's arguments nor a log line."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import User

from accounts import emails
from accounts.models import HeldEmail
from portal import redaction
from portal.models import OutboxMessage
from tests.smtp import free_port

from .conftest import confirm_from_email, links_in, path_of, sign_up

pytestmark = pytest.mark.django_db

EMAIL = "sam.officer@kent.police.uk"


def test_the_sign_up_confirmation_goes_through_the_outbox(client, sink, kent):
    assert sign_up(client, EMAIL).status_code == 302

    (message,) = OutboxMessage.objects.all()
    assert message.task == "accounts.tasks.send_held_email"
    ((recipients, email),) = sink.wait_for(1)
    assert recipients == [EMAIL]
    (link,) = links_in(email, "/account/confirm-email/")
    # Only the held email's id went to the broker, never the link; sent, it is not kept.
    assert path_of(link).strip("/").split("/")[-1] not in repr([message.args, message.kwargs])
    assert message.published_at is not None
    assert not HeldEmail.objects.exists()

    confirm_from_email(client, sink, EMAIL, 1)
    assert EmailAddress.objects.get(email=EMAIL).verified


def test_a_mail_server_that_is_down_keeps_the_email_until_it_is_back(settings, kent):
    user = User.objects.create_user("sam", EMAIL, "a-long-passphrase-1")
    held = emails.send_after_commit(
        emails.message_of(HeldEmail(to=[user.email], subject="Hello", body="A link"))
    )
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nobody listening
    with pytest.raises(OSError):
        emails.send_held(held.pk)
    assert HeldEmail.objects.filter(pk=held.pk).exists()


def test_an_email_delivered_twice_is_sent_once(sink, kent):
    held = emails.send_after_commit(
        emails.message_of(HeldEmail(to=[EMAIL], subject="Hello", body="A link"))
    )
    assert emails.send_held(held.pk) is True
    assert emails.send_held(held.pk) is False
    assert len(sink.wait_for(1)) == 1


def test_the_password_reset_key_never_reaches_a_log_line(client, sink, kent):
    user = User.objects.create_user("sam", EMAIL, "a-long-passphrase-1")
    EmailAddress.objects.create(user=user, email=EMAIL, verified=True, primary=True)
    client.post("/account/password/reset/", {"email": EMAIL})
    ((_, email),) = sink.wait_for(1)
    (link,) = links_in(email, "/account/password/reset/key/")
    key = path_of(link).strip("/").split("/")[-1]
    line = redaction.log_text(f'"GET {path_of(link)} HTTP/1.1" 302 0 "{link}"')
    assert key not in line and "[token]" in line
