"""The page straight after registering names its event by a signed key: it says the same
whatever happened, and the key cannot be used to list events that are not public."""

from django.core import signing
from django.urls import reverse

RECEIVED_SALT = "events.registration.received-for-event"


def received_path(event):
    token = signing.Signer(salt=RECEIVED_SALT).sign_object(event.pk)
    return reverse("events:received", args=[token])


def event_id_from(token):
    """The event's id, or signing.BadSignature for a key this site did not make."""
    return signing.Signer(salt=RECEIVED_SALT).unsign_object(token)
