"""Telling a recipient's permanent failure from a mail relay that refuses everyone.

A 5xx reply to RCPT TO names one recipient: their address is dead, and they are suppressed so
they are never tried again. But a misconfigured relay (no authentication, an unknown sender
domain, a spam filter rejecting the message) answers 5xx to every recipient too, and taking
each of those at face value would suppress the whole list. So:

- a 5xx to MAIL FROM, DATA, the greeting or authentication is about the relay or the message,
  never one recipient: the mailing is paused at once;
- a 5xx to RCPT TO is held as a suspect until the relay accepts someone else (then the suspects
  were real and are suppressed) or until NEWSLETTERS_RELAY_FAILURE_THRESHOLD recipients in a row
  are refused with nothing accepted (then it is the relay: the mailing is paused);
- a pause suppresses nobody and gives the held rows back untouched, and the NCPI team is told
  once. The team resumes the mailing from the admin when the relay is mended.
"""

import logging
import re
import smtplib

from anymail.exceptions import AnymailRecipientsRefused
from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from portal.links import public_url

from .models import Delivery, Mailing, Subscriber

logger = logging.getLogger(__name__)

RECIPIENT = "recipient"  # this recipient's address is refused for good
RELAY = "relay"  # the relay refuses the sender, the message or us: nobody will get through
TEMPORARY = "temporary"  # try again later

_ADDRESS = re.compile(r"[^\s<>()\[\]'\"]+@[^\s<>()\[\]'\"]+")


class RelayFailure(Exception):
    """The relay refuses everyone: stop, pause the mailing, suppress nobody."""


def classify(exc):
    if isinstance(exc, AnymailRecipientsRefused):
        return RECIPIENT
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        permanent = all(code >= 500 for code, _ in exc.recipients.values())
        return RECIPIENT if permanent else TEMPORARY
    # SMTPSenderRefused (MAIL FROM), SMTPDataError (DATA), SMTPAuthenticationError,
    # SMTPConnectError and SMTPHeloError all carry the server's reply code.
    if isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code >= 500:
        return RELAY
    return TEMPORARY


def describe(exc):
    """The server's reply, for the team and the logs, with any address in it blanked out."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(exc.recipients.values()))
    elif isinstance(exc, smtplib.SMTPResponseException):
        code, text = exc.smtp_code, exc.smtp_error
    else:
        code, text = None, str(exc)
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    text = _ADDRESS.sub("<address>", " ".join(str(text).split()))
    return f"{code} {text}" if code else text


def suppress(subscriber, reason):
    Subscriber.objects.filter(pk=subscriber.pk).update(
        status=Subscriber.Status.SUPPRESSED, suppressed_reason=reason[:255]
    )


def suppress_address(email, reason):
    """Stop all mail to an address at once (hard bounce, complaint): pending rows are skipped
    as the chunk reaches them, since it checks the subscriber's status before sending."""
    return Subscriber.objects.filter(email=email.strip().lower()).update(
        status=Subscriber.Status.SUPPRESSED, suppressed_reason=reason[:255]
    )


class Suspects:
    """Rows refused at RCPT TO since the relay last accepted a message, in this chunk."""

    def __init__(self, threshold):
        self.threshold = threshold
        self.held = []  # (row, exception)

    def refused(self, row, exc):
        """Hold a refused row; True once the run of refusals (each a different subscriber: a
        mailing has one row per subscriber) says the relay refuses everyone."""
        self.held.append((row, exc))
        return len(self.held) >= self.threshold

    def take(self):
        held, self.held = self.held, []
        return held

    def rows(self):
        return [row for row, _ in self.held]


def pause(mailing_id, exc, refused):
    """Pause the mailing; the first chunk to do so alerts the NCPI team. True if this call
    paused it (chunks in other lanes may see the same failure at the same moment). `refused`:
    the recipients refused in a row before `exc`, when `exc` is one more such refusal."""
    if classify(exc) != RECIPIENT:
        refused = 0
    reason = (
        f"The mail server refused {refused} recipients in a row and accepted none"
        if refused
        else "The mail server refused the message itself"
    )
    reason = f"{reason} (last reply: {describe(exc)})"
    paused = Mailing.objects.filter(pk=mailing_id, paused_at__isnull=True).update(
        paused_at=timezone.now(), paused_reason=reason[:255]
    )
    if paused:
        logger.error("Sending paused for mailing %s: %s", mailing_id, reason)
        from .tasks import alert_sending_paused

        alert_sending_paused.delay(mailing_id)
    return bool(paused)


def alert_message(mailing):
    """The email telling the NCPI team a mailing is paused, with the admin page to resume it."""
    if mailing.issue_id:
        admin_path = reverse("newsletters_send_issue", args=[mailing.issue_id])
    else:
        admin_path = reverse("newsletters_paused_mailings")
    body = render_to_string(
        "newsletters/email/sending_paused.txt",
        {
            "mailing": mailing,
            "pending": mailing.deliveries.filter(status=Delivery.Status.PENDING).count(),
            "admin_url": public_url(admin_path),
        },
    )
    return EmailMessage(
        subject=f"Sending paused: {mailing.subject}", body=body, to=[settings.NCPI_TEAM_EMAIL]
    )
