"""Stored documents as the hits a search returns (search.backends.base.Hit), with their
highlights."""

from datetime import date, datetime

from ..base import MARK_END, MARK_START, Hit


def _repair(fragment):
    """A marker pair for every match: the test server (osmem) drops the start marker of a
    match at the very start of a field, which would leave an unpaired end marker."""
    if fragment.count(MARK_END) > fragment.count(MARK_START) and not fragment.startswith(
        MARK_START
    ):
        return MARK_START + fragment
    return fragment


def highlight_of(hit):
    parts = getattr(hit.meta, "highlight", None)
    if parts is None:
        return ""
    fragments = [_repair(f) for name in ("summary", "body") for f in getattr(parts, name, [])]
    text = " … ".join(fragments)
    return text if MARK_START in text else ""


def to_hit(source, score=0.0, highlight=""):
    published = source["published_date"]
    if isinstance(published, str):
        published = date.fromisoformat(published[:10])
    elif isinstance(published, datetime):
        published = published.date()
    return Hit(
        page_id=int(source["page_id"]),
        external_id=source.get("external_id", ""),
        title=source["title"],
        url=source.get("url", ""),
        summary=source.get("summary", ""),
        force=source.get("force", ""),
        published_date=published,
        highlight=highlight,
        score=float(score or 0.0),
    )
