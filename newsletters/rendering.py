"""Email content: HTML with its CSS inlined (mail clients drop <style> blocks) and a plain-text
part, both from templates.

An issue is the same for every recipient who may see the same pages, except the manage and
unsubscribe links, so it is rendered once per chunk (per visibility level) with placeholders that
are swapped per recipient: rendering and inlining 100,000 times would dominate the cost of
sending. Which chosen pages a copy shows is decided when it is built, never when the issue was
composed: a page unpublished or restricted since then is left out."""

import html
import re

import css_inline
from django.template.loader import render_to_string
from django.utils.html import strip_tags
from wagtail.models import Page
from wagtail.rich_text import RichText

from portal.links import public_url
from portal.text import one_line
from portal.visibility import PUBLIC_ONLY, Restriction, restriction_of, visible_pages

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


# A link to a page in rich text, as Wagtail stores it: <a id="12" linktype="page">.
_PAGE_LINK = re.compile(r'<a\b(?=[^>]*\blinktype="page")[^>]*\bid="(\d+)"[^>]*>(.*?)</a>', re.S)


def chosen_page_ids(issue):
    """The ids of every page the issue shows or links to: chosen in its featured blocks, or
    linked from its text."""
    ids = []
    for block in issue.body:
        if block.block_type == "text":
            ids.extend(int(pk) for pk, _text in _PAGE_LINK.findall(block.value.source))
        else:
            ids.extend(page.pk for page in block.value["pages"] if page)
    return list(dict.fromkeys(ids))


def _without_hidden_links(value, shown):
    """Rich text with links to pages outside `shown` reduced to their words: a link would give
    away the address (and so the slug) of a page the reader may not see."""
    source = _PAGE_LINK.sub(
        lambda m: m.group(0) if int(m.group(1)) in shown else m.group(2), value.source
    )
    return RichText(source)


def shown_pages(page_ids, levels):
    """{page id: specific page} of the chosen pages that someone who may see `levels` may see
    now (two queries however many were chosen)."""
    pages = visible_pages(Page.objects.filter(pk__in=page_ids), levels).specific()
    return {page.pk: page for page in pages}


def issue_context(
    issue,
    levels=PUBLIC_ONLY,
    manage_url=MANAGE_PLACEHOLDER,
    unsubscribe_url=UNSUBSCRIBE_PLACEHOLDER,
    shown=None,
):
    """What a copy of the issue shows someone who may see `levels`: chosen pages that are no
    longer live, or are restricted beyond those levels, are left out. `shown` is the result of
    shown_pages() when the caller has it already."""
    if shown is None:
        shown = shown_pages(chosen_page_ids(issue), levels)
    sections = []
    for block in issue.body:
        if block.block_type == "text":
            text = _without_hidden_links(block.value, shown)
            sections.append({"kind": "text", "html": text, "plain": rich_text_to_plain(text)})
        else:
            pages = [shown[page.pk] for page in block.value["pages"] if page and page.pk in shown]
            if pages:
                sections.append(
                    {"kind": "pages", "heading": block.value["heading"], "pages": pages}
                )
    return {
        "subject": one_line(issue.title),
        "issue": issue,
        "sections": sections,
        "manage_url": manage_url,
        "unsubscribe_url": unsubscribe_url,
        "archive_url": public_url(issue.get_absolute_url()),
    }


def render_issue(issue, levels=PUBLIC_ONLY, shown=None):
    """(subject, plain text, inlined HTML) of the copy for someone who may see `levels`, with
    placeholders for the per-recipient links."""
    context = issue_context(issue, levels, shown=shown)
    return (
        context["subject"],
        render_to_string("newsletters/email/issue.txt", context),
        inline_html("newsletters/email/issue.html", context),
    )


def hidden_choices(issue):
    """(title, why) for each chosen page that no copy for the public will show: the NCPI team
    is warned before sending."""
    ids = chosen_page_ids(issue)
    public = shown_pages(ids, PUBLIC_ONLY)
    reasons = []
    for page in Page.objects.filter(pk__in=ids).exclude(pk__in=list(public)).order_by("title"):
        if not page.live:
            why = "not published"
        else:
            level = restriction_of(page)
            why = {
                Restriction.LOGIN: "only for signed-in users",
                Restriction.POLICE: "only for police users",
            }.get(level, "restricted")
        reasons.append((page.title, why))
    return reasons


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
    # A title is typed in the admin or imported: a line break in it must not stop the delivery.
    subject = one_line(subject)
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
