"""Rich text for plain-text channels (emails, calendar descriptions): links keep their address."""

import html
import re

from django.utils.html import strip_tags
from wagtail.rich_text import expand_db_html

from .links import public_url

_LINK = re.compile(r'<a\b[^>]*\bhref="([^"]*)"[^>]*>(.*?)</a>', re.IGNORECASE | re.DOTALL)
_BLOCK_END = re.compile(r"</(p|li|h\d)>|<br\s*/?>", re.IGNORECASE)


def rich_text_as_plain_text(value):
    """Rich text for a plain-text email: links keep their address ("text (https://...)"),
    internal links made absolute, paragraphs on lines of their own."""
    text = expand_db_html(value or "")
    text = _LINK.sub(
        lambda m: (
            f"{m[2]} ({public_url(html.unescape(m[1]))})"
            if strip_tags(m[2]).strip() != html.unescape(m[1])
            else public_url(html.unescape(m[1]))
        ),
        text,
    )
    text = html.unescape(strip_tags(_BLOCK_END.sub("\n", text)))
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())
