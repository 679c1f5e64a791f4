"""What is indexed for a page: one backend-neutral document built from a practice page."""

import html
import re
from dataclasses import dataclass, field
from datetime import date

from django.utils.html import strip_tags
from wagtail.models import Page

from portal.visibility import (
    Restriction,
    restriction_of,
)

from . import facets


@dataclass
class Document:
    page_id: int
    external_id: str
    title: str
    summary: str
    keywords: str
    body: str
    url: str
    force: str
    published_date: date
    restriction: str
    facets: dict[str, list[str]] = field(default_factory=dict)


# Where rich text breaks a line: stripping the tags alone would join "...end.</p><p>Next" into
# "end.Next" in snippets and in the words indexed.
_BLOCK_END = re.compile(r"(?i)<br\s*/?>|</(?:p|li|h[1-6]|div|blockquote|td|th|dd|dt)>")


def text(value):
    """Plain text of rich text (or a plain field): tags removed, a line break where a block
    ended, entities decoded."""
    marked = _BLOCK_END.sub(lambda match: match.group(0) + "\n", str(value or ""))
    return html.unescape(strip_tags(marked)).strip()


def build(page_id):
    """The document for a page, or None when the page should not be in the index (missing,
    not live, not a practice page, or hidden by its restrictions)."""
    from practice.models import PracticePage

    page = (
        PracticePage.objects.filter(pk=page_id, live=True, expired=False)
        .select_related("force__region", "evidence_level")
        .prefetch_related("criteria", "themes", "audiences", "partners")
        .first()
    )
    if page is None:
        return None
    restriction = restriction_of(page)
    if restriction == Restriction.HIDDEN:
        return None
    tags = [*page.criteria.all(), *page.themes.all(), *page.audiences.all()]
    steps = [
        text(" ".join(str(v) for v in block.value.values()))
        if hasattr(block.value, "values")
        else text(block.value)
        for block in page.adoption_steps
    ]
    body = [
        page.problem,
        page.approach,
        page.outcomes,
        page.implementation,
        *steps,
        page.adoption_people,
        page.adoption_cost,
        page.adoption_pitfalls,
        page.force.name,
        *(p.name for p in page.partners.all()),
        page.source,
        page.contact_role,
    ]
    return Document(
        page_id=page.pk,
        external_id=page.external_id or "",
        title=page.title,
        summary=text(page.summary),
        keywords=" ".join(t.name for t in tags),
        body="\n\n".join(t for t in (text(part) for part in body) if t),
        url=page.get_url() or Page.objects.get(pk=page.pk).url_path,
        force=page.force.name,
        published_date=page.published_date,
        restriction=restriction,
        facets=facets.values_of(page),
    )
