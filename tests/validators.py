"""What outside clients make of the portal's feeds and calendars, for any test to check with.

- Atom (RFC 4287): feedparser, the parser most feed readers build on, must read the feed
  without complaint (bozo 0), and lxml checks the elements RFC 4287 requires that feedparser
  tolerates missing (ids, titles and updated dates on the feed and every entry, an author,
  absolute IRIs as ids and links).
- iCalendar (RFC 5545, and RFC 5546 for METHOD): both the icalendar package and ics (ics.py)
  must parse the file, and the properties every component needs, and those a METHOD needs
  (ORGANIZER and ATTENDEE for REQUEST and CANCEL), must be there.
"""

import re
from urllib.parse import urlsplit

import feedparser
import ics
from icalendar import Calendar
from lxml import etree

ATOM_NS = "http://www.w3.org/2005/Atom"
NS = {"a": ATOM_NS}
# RFC 3339 date-time, as RFC 4287 section 3.3 requires.
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


def is_absolute_iri(value):
    """An IRI with a scheme (RFC 3987): urn:uuid:…, tag:…, https://host/…; no white space."""
    parts = urlsplit(value)
    if not parts.scheme or any(character.isspace() for character in value):
        return False
    if parts.scheme in ("http", "https"):
        return bool(parts.netloc)
    return bool(parts.path)


def _one(element, name):
    found = element.findall(f"a:{name}", NS)
    assert len(found) == 1, f"<{element.tag}> must have exactly one <{name}>, has {len(found)}"
    return found[0]


def check_atom(content):
    """Parse an Atom feed as feed readers do and check RFC 4287's requirements. Returns
    (feedparser's result, the lxml root)."""
    parsed = feedparser.parse(content)
    assert parsed.bozo == 0, f"feedparser: {parsed.get('bozo_exception')}"
    assert parsed.version == "atom10", parsed.version
    root = etree.fromstring(content)
    assert root.tag == f"{{{ATOM_NS}}}feed"
    for name in ("id", "title", "updated"):
        _one(root, name)
    assert is_absolute_iri(_one(root, "id").text), _one(root, "id").text
    assert RFC3339.match(_one(root, "updated").text)
    feed_has_author = bool(root.findall("a:author/a:name", NS))
    for link in root.iter(f"{{{ATOM_NS}}}link"):
        assert is_absolute_iri(link.get("href")), link.get("href")
    for entry in root.findall("a:entry", NS):
        for name in ("id", "title", "updated"):
            _one(entry, name)
        assert is_absolute_iri(_one(entry, "id").text), _one(entry, "id").text
        assert RFC3339.match(_one(entry, "updated").text)
        assert feed_has_author or entry.findall("a:author/a:name", NS)
        alternates = [
            link
            for link in entry.findall("a:link", NS)
            if link.get("rel", "alternate") == "alternate"
        ]
        assert alternates or entry.findall("a:content", NS), "an entry needs a link or content"
    ids = [_one(entry, "id").text for entry in root.findall("a:entry", NS)]
    assert len(ids) == len(set(ids)), "entry ids must be unique"
    return parsed, root


# Properties RFC 5546 requires of a VEVENT, by METHOD (beyond RFC 5545's UID and DTSTAMP).
METHOD_REQUIRES = {
    "PUBLISH": ("DTSTART", "SUMMARY", "ORGANIZER"),
    "REQUEST": ("DTSTART", "SUMMARY", "ORGANIZER", "ATTENDEE", "SEQUENCE"),
    "CANCEL": ("ORGANIZER", "ATTENDEE", "SEQUENCE"),
}


def check_icalendar(content, method=None):
    """Parse a calendar with both icalendar and ics, and check the properties RFC 5545 and,
    for its METHOD, RFC 5546 require. Returns icalendar's Calendar."""
    text = content.decode() if isinstance(content, bytes) else content
    calendar = Calendar.from_ical(text)
    assert str(calendar["VERSION"]) == "2.0" and calendar.get("PRODID")
    ics.Calendar(text)  # raises on anything it cannot read
    if method is not None:
        assert str(calendar["METHOD"]) == method
    declared = str(calendar.get("METHOD", "")).upper()
    for event in calendar.walk("VEVENT"):
        for name in ("UID", "DTSTAMP"):
            assert event.get(name) is not None, f"VEVENT without {name}"
        for name in METHOD_REQUIRES.get(declared, ()):
            assert event.get(name) is not None, f"METHOD:{declared} VEVENT without {name}"
    return calendar
