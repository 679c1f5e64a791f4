"""Hard bounces and complaints read from a bounce mailbox over IMAP, for sending through plain
SMTP where no provider posts webhooks (those arrive through django-anymail: alerts.py).

List mail goes out with NEWSLETTERS_BOUNCE_ADDRESS as its envelope sender (Return-Path), so
receiving servers return failures there, not to the From address. Every few minutes beat runs
`tasks.read_bounce_mailbox`, which reads the unseen messages in NEWSLETTERS_BOUNCE_MAILBOX_URL
(imaps://user:password@host:993/INBOX) and understands the two standard reports:

- delivery status notifications (RFC 3464, multipart/report; report-type=delivery-status): a
  recipient whose Action is "failed" with a permanent Status about the address or its mailbox
  (5.0.x, 5.1.x, 5.2.x: RFC 3463) is a hard bounce; delayed deliveries and 4.x.x failures are
  temporary (the sending server retries them itself), so those reports are only cleared away.
  A permanent failure about the sending system, the network, the message or policy (5.3.x to
  5.7.x: a misconfigured relay, a rejected signature, a blocklist) says nothing about the
  address and would arrive for every recipient alike: it suppresses nobody, and is left for
  the NCPI team to read;
- complaint feedback (ARF, RFC 5965, report-type=feedback-report): the complaining recipient,
  from Original-Rcpt-To, or from the returned message's Message-ID, which names the delivery
  row it was (prepared.message_id), since many providers redact the address.

The same mailbox receives RFC 2369 mailto: unsubscribe requests, when
NEWSLETTERS_UNSUBSCRIBE_ADDRESS delivers to it: a message whose subject is "Unsubscribe <token>"
with a valid signed unsubscribe token unsubscribes that subscriber, as the link does.

Only addresses of existing subscribers are suppressed, at once, as a webhook would. Reports
and requests that were understood are deleted; anything else (an out-of-office reply, a person
writing back) is left in the mailbox, marked seen, for the NCPI team to read. Running twice is
harmless.
"""

import email
import imaplib
import logging
import re
from dataclasses import dataclass, field
from email import policy
from email.parser import HeaderParser
from urllib.parse import unquote, urlsplit

from django.conf import settings

from .models import Delivery, Subscriber
from .subscribers import unsubscribe_from_everything

logger = logging.getLogger(__name__)

IMAP_TIMEOUT = 30
# Messages read per run: a flood of bounces is worked through over several runs.
MAX_MESSAGES = 500
_OUR_MESSAGE_ID = re.compile(r"<spe\.(\d+)\.(\d+)@[^>]+>")
# The subject a mailto: List-Unsubscribe asks for (prepared.unsubscribe_mailto); a reply's
# "Re:" is tolerated.
_UNSUBSCRIBE_SUBJECT = re.compile(r"^\s*(?:re:\s*)?unsubscribe\s+(\S+)\s*$", re.IGNORECASE)


class MailboxError(Exception):
    """The bounce mailbox could not be reached or read: said plainly, tried again next run."""


@dataclass
class Report:
    kind: str  # "bounce", "complaint", or "temporary" (a delay: nothing to do)
    addresses: set = field(default_factory=set)
    detail: str = ""


@dataclass
class Outcome:
    read: int = 0
    bounces: int = 0
    complaints: int = 0
    suppressed: int = 0
    unsubscribed: int = 0
    left_for_people: int = 0


def _address(value):
    """'rfc822; Person@Example.org' -> 'person@example.org'."""
    value = (value or "").strip()
    if ";" in value:
        value = value.split(";", 1)[1]
    return email.utils.parseaddr(value)[1].strip().lower()


def _field_blocks(text):
    """Header-style blocks separated by blank lines (the per-message and per-recipient fields
    of a delivery-status or feedback-report part)."""
    parser = HeaderParser()
    blocks = re.split(r"\r?\n\s*\r?\n", text.strip())
    return [parser.parsestr(block) for block in blocks if block.strip()]


def _part_text(part):
    payload = part.get_payload()
    if isinstance(payload, list):  # the email package already split it into blocks
        return "\n\n".join(block.as_string() for block in payload)
    raw = part.get_payload(decode=True)
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(payload)


def _returned_headers(message):
    """The headers of the message that bounced or was complained about, when returned."""
    for part in message.walk():
        kind = part.get_content_type()
        if kind == "text/rfc822-headers":
            return HeaderParser().parsestr(_part_text(part))
        if kind == "message/rfc822":
            inner = part.get_payload()
            return inner[0] if isinstance(inner, list) and inner else None
    return None


def _delivery_address(headers):
    """The subscriber address behind one of our Message-IDs in returned headers."""
    if headers is None:
        return None
    match = _OUR_MESSAGE_ID.search(str(headers.get("Message-ID", "")))
    if not match:
        return None
    mailing_id, delivery_id = (int(group) for group in match.groups())
    return (
        Delivery.objects.filter(pk=delivery_id, mailing_id=mailing_id)
        .values_list("subscriber__email", flat=True)
        .first()
    )


def _about_the_address(status):
    """A permanent status whose subject (RFC 3463) is the address or its mailbox."""
    parts = status.split(".")
    return len(parts) == 3 and parts[1] in ("0", "1", "2")


def read_report(message):
    """A Report for a delivery status notification or a complaint, or None for anything
    else (a message for people to read)."""
    if message.get_content_type() != "multipart/report":
        return None
    report_type = (message.get_param("report-type") or "").lower()
    if report_type == "delivery-status":
        report = Report("bounce")
        for part in message.walk():
            if part.get_content_type() != "message/delivery-status":
                continue
            for block in _field_blocks(_part_text(part)):
                action = (block.get("Action") or "").strip().lower()
                status = (block.get("Status") or "").strip()
                recipient = _address(
                    block.get("Final-Recipient") or block.get("Original-Recipient")
                )
                if action != "failed" or not status.startswith("5.") or not recipient:
                    continue
                if not _about_the_address(status):
                    return None
                report.addresses.add(recipient)
                report.detail = f"status {status}"
        return report if report.addresses else Report("temporary")
    if report_type == "feedback-report":
        report = Report("complaint")
        for part in message.walk():
            if part.get_content_type() != "message/feedback-report":
                continue
            for block in _field_blocks(_part_text(part)):
                feedback = (block.get("Feedback-Type") or "").strip().lower()
                if feedback and feedback != "abuse":
                    return None  # e.g. "not-spam", "virus": not a complaint about us
                report.detail = feedback or "abuse"
                for value in block.get_all("Original-Rcpt-To") or []:
                    report.addresses.add(_address(value))
        if not report.addresses:
            address = _delivery_address(_returned_headers(message))
            if address:
                report.addresses.add(address.lower())
        report.addresses.discard("")
        return report if report.addresses else None
    return None


def unsubscribe_request(message):
    """The subscriber a mailto: unsubscribe request names by its signed token, or None."""
    from .links import UNSUBSCRIBE_SALT, subscriber_from_token

    match = _UNSUBSCRIBE_SUBJECT.match(str(message.get("Subject", "")))
    if not match:
        return None
    return subscriber_from_token(match[1], UNSUBSCRIBE_SALT)


def suppress(report, source):
    from portal.signals import address_bounced

    from .failures import suppress_address

    if report.kind == "bounce":
        reason = f"Hard bounce ({report.detail}) returned to {source}"
        for address in report.addresses:
            address_bounced.send(sender=Subscriber, email=address)
    else:
        reason = f"Complaint ({report.detail}) returned to {source}"
    known = Subscriber.objects.filter(email__in=report.addresses)
    return sum(
        suppress_address(address, reason) for address in known.values_list("email", flat=True)
    )


def _connect(url):
    parts = urlsplit(url)
    if parts.scheme not in ("imap", "imaps") or not parts.hostname:
        # Not the URL itself in the message: it holds the password.
        raise MailboxError("NEWSLETTERS_BOUNCE_MAILBOX_URL must start imap:// or imaps://")
    folder = unquote(parts.path.lstrip("/")) or "INBOX"
    try:
        if parts.scheme == "imaps":
            client = imaplib.IMAP4_SSL(parts.hostname, parts.port or 993, timeout=IMAP_TIMEOUT)
        else:
            client = imaplib.IMAP4(parts.hostname, parts.port or 143, timeout=IMAP_TIMEOUT)
        client.login(unquote(parts.username or ""), unquote(parts.password or ""))
        status, _ = client.select(_quoted(folder))
        if status != "OK":
            client.logout()
            raise MailboxError(f"The bounce mailbox has no folder {folder!r}")
    except (OSError, imaplib.IMAP4.error) as exc:
        raise MailboxError(
            f"Could not open the bounce mailbox at {parts.hostname}: {exc}"
        ) from exc
    return client, parts.hostname


def _quoted(folder):
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def read_mailbox(url=None):
    """Read the unseen messages of the bounce mailbox once: suppress, delete what was a
    report, leave the rest. Returns an Outcome; raises MailboxError when it cannot."""
    url = url or settings.NEWSLETTERS_BOUNCE_MAILBOX_URL
    outcome = Outcome()
    client, host = _connect(url)
    try:
        status, data = client.uid("SEARCH", None, "UNSEEN")
        if status != "OK":
            raise MailboxError(f"Searching the bounce mailbox failed: {data!r}")
        for uid in data[0].split()[:MAX_MESSAGES]:
            status, fetched = client.uid("FETCH", uid, "(BODY.PEEK[])")
            raw = next((item[1] for item in fetched if isinstance(item, tuple)), None)
            if status != "OK" or raw is None:
                logger.warning("Could not fetch message %s from the bounce mailbox", uid)
                continue
            outcome.read += 1
            message = email.message_from_bytes(raw, policy=policy.compat32)
            subscriber = unsubscribe_request(message)
            if subscriber is not None:
                unsubscribe_from_everything(subscriber)
                outcome.unsubscribed += 1
                client.uid("STORE", uid, "+FLAGS", "(\\Seen \\Deleted)")
                continue
            report = read_report(message)
            if report is None:
                client.uid("STORE", uid, "+FLAGS", "(\\Seen)")
                outcome.left_for_people += 1
                continue
            if report.kind == "bounce":
                outcome.bounces += 1
            elif report.kind == "complaint":
                outcome.complaints += 1
            if report.addresses:
                outcome.suppressed += suppress(report, f"the bounce mailbox at {host}")
            client.uid("STORE", uid, "+FLAGS", "(\\Seen \\Deleted)")
        client.expunge()
    except (OSError, imaplib.IMAP4.error) as exc:
        raise MailboxError(f"Reading the bounce mailbox at {host} failed: {exc}") from exc
    finally:
        try:
            client.logout()
        except (OSError, imaplib.IMAP4.error):
            logger.warning("Logging out of the bounce mailbox failed", exc_info=True)
    return outcome
