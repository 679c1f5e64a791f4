"""Stored documents as the hits a search returns (search.backends.base.Hit)."""

from ..base import MARK_END, MARK_START, Hit

# What a hit shows, read for the page of results.
HIT_FIELDS = ("external_id", "title", "url", "summary", "force", "published_date")
HEADLINE_OPTIONS = (
    f'StartSel="{MARK_START}", StopSel="{MARK_END}", MaxWords=35, MinWords=15, '
    'MaxFragments=2, FragmentDelimiter=" … "'
)


def to_hits(documents, highlights=None, scores=None):
    """Hits of SearchDocuments, with their highlights ({page_id: text}, kept only where a word
    is marked) and scores (a document's `rank`, else {page_id: score})."""
    highlights = highlights or {}
    scores = scores or {}
    hits = []
    for doc in documents:
        highlight = highlights.get(doc.pk) or ""
        hits.append(
            Hit(
                page_id=doc.pk,
                external_id=doc.external_id,
                title=doc.title,
                url=doc.url,
                summary=doc.summary,
                force=doc.force,
                published_date=doc.published_date,
                highlight=highlight if MARK_START in highlight else "",
                score=float(getattr(doc, "rank", None) or scores.get(doc.pk, 0.0)),
            )
        )
    return hits
