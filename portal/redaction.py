"""Taking personal data and signed tokens out of text that is stored or logged.

Two jobs share these patterns:

- `personal_data(text)` is for what people type into the search box before it is stored:
  email addresses, UK phone numbers, National Insurance numbers, postcodes and long numbers
  (crime, PNC and case references) become markers such as "[email]". Names cannot be told
  apart from search words, so they stay: the search log keeps them only for a set time.
- `log_text(text)` is for log lines: signed tokens (the keys in newsletter and event links),
  password reset tokens, email addresses, and the values of free-text query parameters (a
  search) are removed, while paths, status codes and filters stay readable.
"""

import re

EMAIL = "[email]"
PHONE = "[phone]"
NI_NUMBER = "[ni-number]"
POSTCODE = "[postcode]"
NUMBER = "[number]"
TOKEN = "[token]"  # noqa: S105 - a marker, not a password
REDACTED = "[redacted]"

# An @ (or %40, URL-encoded) between two word characters, with the characters addresses are
# made of on either side: complete addresses, and the partial ones people type while
# searching ("j.smith@kent").
_EMAIL = re.compile(r"[\w.+%\-]*\w(?:@|%40)\w[\w.\-]*")
# UK numbers: +44 or 0 followed by nine or ten more digits, with spaces, dashes, dots or
# brackets anywhere between them: "07700 900123", "+44 (0)20 7946 0018", "0117-496-0123".
_PHONE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)\s*44[\s.\-]*(?:\(0\)[\s.\-]*)?|\(?0)(?:[\s.\-()]*\d){9,10}(?!\d)"
)
# National Insurance numbers: "QQ 12 34 56 C", spaced or not.
_NI_NUMBER = re.compile(r"\b[a-z]{2}\s?\d{2}\s?\d{2}\s?\d{2}\s?[a-d]\b", re.IGNORECASE)
# Full UK postcodes ("SW1A 1AA", "m1 1ae", "b338th"): an outward code then an inward code.
_POSTCODE = re.compile(r"\b[a-z]{1,2}\d[a-z\d]?\s*\d[a-z]{2}\b", re.IGNORECASE)
# Six or more digits in a row: crime and incident references, PNC and case numbers.
_LONG_NUMBER = re.compile(r"\d{6,}")

# A value made by django.core.signing (Signer or dumps): base64 parts joined by ":" and ended
# by a 43-character SHA-256 signature (or longer: a link with characters stuck to its end
# still holds a working token). Matched by shape, so every signed link is covered, including
# ones added later; "%3A" is ":" as some mail clients encode it.
_SIGNED_VALUE = re.compile(
    r"(?<![A-Za-z0-9_.\-])(?:[A-Za-z0-9_.\-]+(?::|%3[Aa]))+[A-Za-z0-9_\-]{43,}"
)
# A password reset token (django.contrib.auth.tokens, in the admin's reset links): a base-36
# timestamp, a dash and a hex hash; allauth's reset keys put the account's base-36 id and a
# dash in front ("/account/password/reset/key/2s-cz1k9q-5f3e...").
_PASSWORD_RESET_TOKEN = re.compile(
    r"(?<![\w-])(?:[0-9a-z]{1,13}-)?[0-9a-z]{1,13}-[0-9a-f]{20,}(?![\w-])"
)
# Query parameters that carry what people typed (a search, a saved search): their values are
# dropped from logs whole, since names cannot be recognised by pattern.
FREE_TEXT_PARAMETERS = ("q", "query", "search", "email", "name")
_FREE_TEXT_PARAMETER = re.compile(
    r"(?P<key>[?&;](?:" + "|".join(FREE_TEXT_PARAMETERS) + r")=)[^&;#\s\"']*"
)


def personal_data(text):
    """The text with email addresses, phone and NI numbers, postcodes and long numbers
    replaced by markers. Run before storing anything a person typed."""
    if not text:
        return text
    text = _EMAIL.sub(EMAIL, text)
    text = _PHONE.sub(PHONE, text)
    text = _NI_NUMBER.sub(NI_NUMBER, text)
    text = _POSTCODE.sub(POSTCODE, text)
    return _LONG_NUMBER.sub(NUMBER, text)


def log_text(text):
    """A log line without signed tokens, email addresses or free-text query values."""
    if not text:
        return text
    text = _SIGNED_VALUE.sub(TOKEN, text)
    text = _PASSWORD_RESET_TOKEN.sub(TOKEN, text)
    text = _FREE_TEXT_PARAMETER.sub(lambda match: match["key"] + REDACTED, text)
    return _EMAIL.sub(EMAIL, text)
