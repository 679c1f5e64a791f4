"""An issue's message built once per chunk and personalised as bytes, for the SMTP backend.

Every copy of an issue is the same except the recipient, the manage and unsubscribe links, the
Message-ID and the Date. Building a MIME message with Django and the email package (address
sanitising, header folding, the generator) costs more CPU than the SMTP conversation itself, so
for a chunk of 100 copies it is done once, with markers where the personal parts go:

- the headers are rendered by Django exactly as for any message, with marker values;
- each body part's payload and Content-Transfer-Encoding are markers too, filled per copy as
  Django would: 7bit or 8bit as it is, or quoted-printable (binascii, in C) when a line is too
  long for SMTP. Markers inside an encoded payload could be split by soft line breaks.

What goes into a marker is checked before use (ASCII, no line breaks, bounded length): anything
else, such as an internationalised address, returns None, and the caller builds that copy the
ordinary way. tests/newsletters/test_prepared.py checks that both ways give the same message.
"""

import binascii
import email.utils
import re
from urllib.parse import quote

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import sanitize_address

from portal.links import public_host

from .rendering import MANAGE_PLACEHOLDER as MANAGE
from .rendering import UNSUBSCRIBE_PLACEHOLDER as UNSUBSCRIBE

TO = "spe-recipient@recipient.invalid"
MESSAGE_ID = "<spe-message-id@recipient.invalid>"
DATE = "SPE-DATE-MARKER"
TEXT = "SPE-TEXT-PART-MARKER"
HTML = "SPE-HTML-PART-MARKER"
TEXT_ENCODING = "SPE-TEXT-ENCODING-MARKER"
HTML_ENCODING = "SPE-HTML-ENCODING-MARKER"
UNSUBSCRIBE_TOKEN = "SPE-UNSUBSCRIBE-TOKEN-MARKER"  # noqa: S105 - a marker, not a secret
MARKERS = (
    TO,
    MESSAGE_ID,
    DATE,
    MANAGE,
    UNSUBSCRIBE,
    TEXT,
    HTML,
    TEXT_ENCODING,
    HTML_ENCODING,
    UNSUBSCRIBE_TOKEN,
)
_SPLIT = re.compile("(" + "|".join(re.escape(m) for m in MARKERS) + ")")
# RFC 5322: at most 998 octets on a line, without its CRLF.
MAX_LINE = 998

# A header value swapped in must stay well inside SMTP's 998-octet line limit with its name.
MAX_HEADER_VALUE = 900
_SAFE_HEADER_VALUE = re.compile(r"[\x21-\x7e]+")


def message_id(mailing_id, delivery_id):
    """The same Message-ID however often a copy is sent: if a copy is ever repeated (a worker
    killed between the server accepting it and the row being marked), mail systems that drop
    duplicates by Message-ID show it once."""
    return f"<spe.{mailing_id}.{delivery_id}@{public_host()}>"


def envelope_sender():
    """Where receiving servers return failures (bounces.py): the bounce address if set."""
    return settings.NEWSLETTERS_BOUNCE_ADDRESS or settings.DEFAULT_FROM_EMAIL


def unsubscribe_token(unsubscribe_url):
    """The signed token at the end of an unsubscribe link."""
    return unsubscribe_url.rstrip("/").rsplit("/", 1)[-1]


def unsubscribe_mailto(token):
    """RFC 2369's mailto: alternative, for mail clients that only send mail: a message to
    NEWSLETTERS_UNSUBSCRIBE_ADDRESS whose subject carries the signed token (bounces.py reads
    it). None when no such address is configured: then only the https link is offered."""
    address = settings.NEWSLETTERS_UNSUBSCRIBE_ADDRESS
    if not address:
        return None
    # RFC 6068: the token's characters (letters, digits, "-", "_", ":", ".") need no escaping.
    return f"mailto:{quote(address, safe='@')}?subject={quote(f'Unsubscribe {token}', safe=':')}"


def list_headers(unsubscribe_url, manage_url, token=None):
    targets = [f"<{unsubscribe_url}>"]
    mailto = unsubscribe_mailto(unsubscribe_token(unsubscribe_url) if token is None else token)
    if mailto:
        # No space after the comma: nothing for header folding to break the line at.
        targets.append(f"<{mailto}>")
    return {
        "From": settings.DEFAULT_FROM_EMAIL,
        # RFC 2369 and RFC 8058: mail clients show an unsubscribe button that POSTs
        # "List-Unsubscribe=One-Click" to the https URL, without opening a page.
        "List-Unsubscribe": ",".join(targets),
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        # RFC 2919: the list's name and an id under a domain the portal owns.
        "List-Id": f"Safeguarding Practice Exchange updates <updates.{public_host()}>",
        "X-SPE-Manage": manage_url,
    }


def encode_body(text):
    """(Content-Transfer-Encoding, payload with CRLF line ends) for a text part: as it is when
    every line fits, as Django sends it, or quoted-printable when one is too long."""
    data = text.replace("\r\n", "\n").encode()
    if max(map(len, data.split(b"\n"))) <= MAX_LINE:
        return ("7bit" if data.isascii() else "8bit"), data.replace(b"\n", b"\r\n")
    encoded = binascii.b2a_qp(data, istext=True).replace(b"\r\n", b"\n")
    return "quoted-printable", encoded.replace(b"\n", b"\r\n")


class PreparedMessage:
    """The wire bytes of one issue for any recipient: `render(...)` gives (sender, bytes)."""

    def __init__(self, subject, text, html):
        # The text and HTML still hold rendering's link placeholders (MANAGE, UNSUBSCRIBE).
        self.text, self.html = text, html
        message = EmailMultiAlternatives(
            subject=subject,
            body=TEXT,
            to=[TO],
            from_email=envelope_sender(),
            headers={
                **list_headers(UNSUBSCRIBE, MANAGE, token=UNSUBSCRIBE_TOKEN),
                "Message-ID": MESSAGE_ID,
                "Date": DATE,
            },
        )
        message.attach_alternative(HTML, "text/html")
        mime = message.message()
        encodings = {"text/plain": TEXT_ENCODING, "text/html": HTML_ENCODING}
        for part in mime.walk():
            if part.get_content_type() in encodings:
                del part["Content-Transfer-Encoding"]
                part["Content-Transfer-Encoding"] = encodings[part.get_content_type()]
        wire = mime.as_bytes(linesep="\r\n").decode("ascii")
        self.sender = sanitize_address(message.from_email, message.encoding or "utf-8")
        # Alternating literal text and marker names: rendering is one join.
        self.pieces = [
            piece if index % 2 else piece.encode("ascii")
            for index, piece in enumerate(_SPLIT.split(wire))
        ]
        # Each marker once, except the links (header and both bodies): anything else means
        # Django or the email package changed what they write, so fail loudly here.
        found = self.pieces[1::2]
        for marker in (TO, MESSAGE_ID, DATE, TEXT, HTML, TEXT_ENCODING, HTML_ENCODING):
            if found.count(marker) != 1:
                times = found.count(marker)
                raise ValueError(f"The prepared message holds {marker!r} {times} times")

    def render(self, to, message_id, manage_url, unsubscribe_url):
        """(envelope sender, message bytes) for one recipient, or None when a value cannot go
        into the prepared headers safely (build that copy the ordinary way)."""
        for value in (to, message_id, manage_url, unsubscribe_url):
            if len(value) > MAX_HEADER_VALUE or not _SAFE_HEADER_VALUE.fullmatch(value):
                return None
        personal = {MANAGE: manage_url, UNSUBSCRIBE: unsubscribe_url}
        text_encoding, text = encode_body(_personalise(self.text, personal))
        html_encoding, html = encode_body(_personalise(self.html, personal))
        values = {
            TO: to.encode(),
            MESSAGE_ID: message_id.encode(),
            DATE: email.utils.formatdate(localtime=settings.EMAIL_USE_LOCALTIME).encode(),
            MANAGE: manage_url.encode(),
            UNSUBSCRIBE: unsubscribe_url.encode(),
            UNSUBSCRIBE_TOKEN: unsubscribe_token(unsubscribe_url).encode(),
            TEXT: text,
            HTML: html,
            TEXT_ENCODING: text_encoding.encode(),
            HTML_ENCODING: html_encoding.encode(),
        }
        pieces = self.pieces
        out = [pieces[0]]
        for index in range(1, len(pieces), 2):
            out.append(values[pieces[index]])
            out.append(pieces[index + 1])
        return self.sender, b"".join(out)


def _personalise(content, values):
    for marker, value in values.items():
        content = content.replace(marker, value)
    return content
