"""What text the portal accepts, in one place: forms, importers, URL parameters and the API all
apply these rules, so a value refused by one is refused by every other.

Text that is stored or shown may not hold control characters: PostgreSQL refuses NUL, XML 1.0
(the Atom feed) refuses most of the others, and they have no business in prose anyway. A
single-line value (a title, a name, an organisation, a slug) may not hold a line break either:
titles become email subjects, and names are written into relayed messages one per line, where a
line break would forge a header or a line.
"""

import re

# Allowed in multi-line text: tab, line feed, carriage return.
_MULTI_LINE_FORBIDDEN = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff"
# Every character str.splitlines() breaks a line at, and every other control character.
_SINGLE_LINE_FORBIDDEN = "\x00-\x1f\x7f-\x9f\u2028\u2029\ufffe\uffff"
# Lone surrogates come only from JSON escapes ("\ud800"): text that cannot be encoded at all.
_SURROGATES = "\ud800-\udfff"

# The same rule as a JSON Schema (ECMA-262) pattern, for the API's schema. Surrogates cannot
# reach a query string (Django decodes it with replacement characters), so the pattern leaves
# them out; the regular expressions below still check for them.
TEXT_PATTERN = "^[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f\\ufffe\\uffff]*$"

_TEXT_PROBLEM = re.compile(f"[{_MULTI_LINE_FORBIDDEN}{_SURROGATES}]")
_LINE_PROBLEM = re.compile(f"[{_SINGLE_LINE_FORBIDDEN}{_SURROGATES}]")
_LINE_BREAK = re.compile("[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
_RUNS_TO_SPACE = re.compile(f"[\\s{_SINGLE_LINE_FORBIDDEN}{_SURROGATES}]+")

LINE_BREAK = "line_break"
CONTROL_CHARACTER = "control_character"
# What is wrong, to follow the name of the field or parameter in an error message.
MESSAGES = {
    LINE_BREAK: "must be on one line",
    CONTROL_CHARACTER: "must not contain control characters",
}


def text_problem(value):
    """None when `value` is acceptable multi-line text, else CONTROL_CHARACTER."""
    return CONTROL_CHARACTER if _TEXT_PROBLEM.search(value) else None


def line_problem(value):
    """None when `value` is acceptable single-line text, else LINE_BREAK or CONTROL_CHARACTER."""
    if not _LINE_PROBLEM.search(value):
        return None
    return LINE_BREAK if _LINE_BREAK.search(value) else CONTROL_CHARACTER


def printable(value):
    """`value` with line breaks, control characters and lone surrogates written as escapes
    (a NUL byte as \\x00), for messages that quote bad input back to a terminal or a page."""
    return _LINE_PROBLEM.sub(lambda match: match.group().encode("unicode_escape").decode(), value)


def one_line(value):
    """`value` on one line, for an email subject: every run of white space or control
    characters becomes one space. Stored text that predates the rules above, or that an editor
    typed in the admin, never stops an email from being sent."""
    return _RUNS_TO_SPACE.sub(" ", value).strip()
