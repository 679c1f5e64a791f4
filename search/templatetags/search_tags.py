"""Template tags for pages that show practice: acronyms that explain themselves, and related
practice."""

import re

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from .. import glossary, service

register = template.Library()

_TAG = re.compile(r"(<[^>]*>)")
# Text inside these elements is left alone: links and headings read oddly with <abbr> inside,
# and form controls and scripts must not be touched.
_SKIP = {"a", "abbr", "button", "label", "option", "script", "style", "textarea", "title"}
_TAG_NAME = re.compile(r"</?\s*([a-zA-Z0-9]+)")


def explain(html, acronyms):
    """Wrap the first use of each acronym in the rendered HTML in <abbr title="meaning">.
    Only text between tags is changed, and that text is already escaped HTML."""
    if not acronyms:
        return html
    pattern = re.compile(
        r"(?<![\w-])("
        + "|".join(re.escape(a) for a in sorted(acronyms, key=len, reverse=True))
        + r")(?![\w-])"
    )
    seen = set()
    skipping = []
    out = []
    for part in _TAG.split(html):
        if part.startswith("<"):
            match = _TAG_NAME.match(part)
            name = match.group(1).lower() if match else ""
            if name in _SKIP and not part.endswith("/>"):
                if part.startswith("</"):
                    if skipping and skipping[-1] == name:
                        skipping.pop()
                else:
                    skipping.append(name)
            out.append(part)
            continue
        if skipping or not part:
            out.append(part)
            continue

        def replace(match):
            term = match.group(1)
            if term in seen:
                return term
            seen.add(term)
            return format_html('<abbr title="{}">{}</abbr>', acronyms[term], term)

        out.append(pattern.sub(replace, part))
    return mark_safe("".join(out))  # noqa: S308 - text parts were escaped HTML; abbr via format_html


class ExplainAcronymsNode(template.Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist

    def render(self, context):
        return explain(self.nodelist.render(context), glossary.acronyms())


@register.tag
def explain_acronyms(parser, token):
    """{% explain_acronyms %}...{% endexplain_acronyms %}: the first use of each glossary
    acronym inside is explained with <abbr title>."""
    nodelist = parser.parse(("endexplain_acronyms",))
    parser.delete_first_token()
    return ExplainAcronymsNode(nodelist)


@register.simple_tag(takes_context=True)
def related_practice(context, page, limit=3):
    """Practice like this page that the reader may see."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return service.related(page.pk, user=user, limit=limit)
