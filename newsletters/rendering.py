"""Email content: HTML with its CSS inlined (mail clients drop <style> blocks) and a plain-text
part, both from templates.

An issue is the same for every recipient except the manage and unsubscribe links, so it is
rendered once per chunk with placeholders that are swapped per recipient: rendering and
inlining 100,000 times would dominate the cost of sending."""

import html
import re

import css_inline
from django.template.loader import render_to_string
from django.utils.html import strip_tags

from portal.links import public_url

MANAGE_PLACEHOLDER = "__SPE_MANAGE_URL__"
UNSUBSCRIBE_PLACEHOLDER = "__SPE_UNSUBSCRIBE_URL__"

# Rich text links to pages and documents are site-relative; in an email they must be absolute.
_RELATIVE_HREF = re.compile(r'(href|src)="/(?!/)')
_inliner = css_inline.CSSInliner(keep_style_tags=False, load_remote_stylesheets=False)


def inline_html(template_name, context):
    rendered = render_to_string(template_name, context)
    absolute = _RELATIVE_HREF.sub(lambda m: f'{m.group(1)}="{public_url("/")}', rendered)
    return _inliner.inline(absolute)


def rich_text_to_plain(value):
    text = str(value)
    text = re.sub(r"</(p|h\d|li)>", "\n\n", text)
    return html.unescape(strip_tags(text)).strip()


def issue_context(issue, manage_url=MANAGE_PLACEHOLDER, unsubscribe_url=UNSUBSCRIBE_PLACEHOLDER):
    sections = []
    for block in issue.body:
        if block.block_type == "text":
            sections.append(
                {"kind": "text", "html": block.value, "plain": rich_text_to_plain(block.value)}
            )
        else:
            pages = [page.specific for page in block.value["pages"] if page and page.live]
            sections.append({"kind": "pages", "heading": block.value["heading"], "pages": pages})
    return {
        "subject": issue.title,
        "issue": issue,
        "sections": sections,
        "manage_url": manage_url,
        "unsubscribe_url": unsubscribe_url,
        "archive_url": public_url(issue.get_absolute_url()),
    }


def render_issue(issue):
    """(subject, plain text, inlined HTML), with placeholders for the per-recipient links."""
    context = issue_context(issue)
    return (
        issue.title,
        render_to_string("newsletters/email/issue.txt", context),
        inline_html("newsletters/email/issue.html", context),
    )


def personalise(content, manage_url, unsubscribe_url):
    return content.replace(MANAGE_PLACEHOLDER, manage_url).replace(
        UNSUBSCRIBE_PLACEHOLDER, unsubscribe_url
    )


def render_updates(kind, pages, manage_url, unsubscribe_url, frequency=""):
    """An alert (kind "alert") or digest about these pages: (subject, plain text, HTML)."""
    from events.models import EventPage

    practice = [page for page in pages if not isinstance(page, EventPage)]
    events = [page for page in pages if isinstance(page, EventPage)]
    if kind == "alert":
        subject = (
            f"New on the Safeguarding Practice Exchange: {pages[0].title}"
            if len(pages) == 1
            else f"{len(pages)} new items on the Safeguarding Practice Exchange"
        )
    else:
        subject = f"Your {frequency} digest: {len(pages)} new item{'s' if len(pages) != 1 else ''}"
    context = {
        "subject": subject,
        "kind": kind,
        "frequency": frequency,
        "practice": practice,
        "events": events,
        "manage_url": manage_url,
        "unsubscribe_url": unsubscribe_url,
    }
    return (
        subject,
        render_to_string("newsletters/email/updates.txt", context),
        inline_html("newsletters/email/updates.html", context),
    )
