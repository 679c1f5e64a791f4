"""As-you-type title suggestions and related practice, on PostgreSQL and in the portable mode.
Typo corrections come from search.vocabulary."""

from django.conf import settings
from django.db import connection
from django.db.models import Count, F, Q

from ...models import SearchDocument, SearchFacet
from ...query import words_of
from .hits import to_hits
from .sql import TABLE, execute

# As-you-type suggestions rank at most this many matching titles, the newest (a common start
# of a word, "chi", is in 40% of the titles at 100,000 documents: ranking them all by
# similarity took 400 to 1,000 ms); related practice weighs at most this many pages sharing a
# tag with the page, the newest (SEARCH_SUGGEST_CANDIDATES, SEARCH_RELATED_CANDIDATES).
SUGGEST_CANDIDATES = 50
RELATED_CANDIDATES = 2000


def suggest(prefix, restrictions, limit, full_text):
    """Titles with a word starting with each typed word, the most like the typed text
    first. On PostgreSQL: among the newest SEARCH_SUGGEST_CANDIDATES such titles, found by
    reading titles newest first when the words are common, through the trigram index when
    they are rare (PostgreSQL picks; search.service.suggest asks only once a word has
    three letters, so that there is a trigram to look up)."""
    words = [w for w in words_of(prefix) if w][:8]
    if not words:
        return []
    if not full_text:
        titles = SearchDocument.objects.filter(restriction__in=restrictions)
        for word in words:
            titles = titles.filter(title__icontains=word)
        titles = titles.order_by("-published_date")
        return [{"title": t, "url": u} for t, u in titles.values_list("title", "url")[:limit]]
    candidates = getattr(settings, "SEARCH_SUGGEST_CANDIDATES", SUGGEST_CANDIDATES)
    # \m: the start of a word. words_of() yields letters and digits only, nothing that
    # a regular expression would read as an operator.
    starts = " AND ".join(["d.title ~* %s"] * len(words))
    sql = (
        "SELECT title, url FROM ("  # noqa: S608 - constants and %s only
        f"SELECT d.title, d.url, d.published_date, d.page_id FROM {TABLE} d "
        f"WHERE d.restriction = ANY(%s) AND {starts} "
        "ORDER BY d.published_date DESC, d.page_id DESC LIMIT %s) AS c "
        "ORDER BY similarity(title, %s) DESC, published_date DESC, page_id DESC LIMIT %s"
    )
    params = [list(restrictions), *[rf"\m{word}" for word in words], candidates]
    with connection.cursor() as cursor:
        execute(cursor, sql, [*params, " ".join(words), limit])
        return [{"title": title, "url": url} for title, url in cursor.fetchall()]


def related(page_id, restrictions, limit, full_text):
    """Practice sharing the most criteria, themes and audiences with the page (themes
    count double), newest first among equals. On PostgreSQL the pages weighed are the
    newest SEARCH_RELATED_CANDIDATES sharing at least one of them: every one, in an index
    of a few thousand pages; at 100,000 documents, weighing every page sharing a tag
    (most of them) took 200 ms a practice page."""
    own = list(
        SearchFacet.objects.filter(
            document_id=page_id, facet__in=["criterion", "theme", "audience"]
        ).values_list("facet", "value")
    )
    if not own:
        return []
    if full_text:
        ids = _related_ids(page_id, restrictions, limit, own)
    else:
        shared = Q()
        for facet, value in own:
            shared |= Q(facet=facet, value=value)
        # Themes say most about what a practice is about; criteria and audiences are broad.
        weight = Count("id", filter=Q(facet="theme")) * 2 + Count("id")
        rows = (
            SearchFacet.objects.filter(shared)
            .exclude(document_id=page_id)
            .filter(document__restriction__in=restrictions)
            .values("document_id")
            .annotate(weight=weight, published=F("document__published_date"))
            .order_by("-weight", "-published", "-document_id")[:limit]
        )
        ids = [row["document_id"] for row in rows]
    documents = SearchDocument.objects.in_bulk(ids)
    return to_hits([documents[pk] for pk in ids if pk in documents])


def _related_ids(page_id, restrictions, limit, own):
    """The related pages' ids, weighed from the facet values kept on each document (one
    statement; the overlap is answered by the facet array index or tested row by row,
    newest first, whichever PostgreSQL expects to read less)."""
    values = [f"{facet}={value}" for facet, value in own]
    candidates = getattr(settings, "SEARCH_RELATED_CANDIDATES", RELATED_CANDIDATES)
    sql = (
        "SELECT c.page_id FROM ("  # noqa: S608 - constants and %s only
        f"SELECT d.page_id, d.published_date, d.facet_values FROM {TABLE} d "
        "WHERE d.restriction = ANY(%s) AND d.page_id <> %s "
        "AND search_facet_array(d.facet_values) && %s::text[] "
        "ORDER BY d.published_date DESC, d.page_id DESC LIMIT %s) AS c, "
        "LATERAL (SELECT count(*) FILTER (WHERE e.value LIKE 'theme=%%') * 2 + count(*) "
        "AS weight FROM jsonb_array_elements_text(c.facet_values) AS e(value) "
        "WHERE e.value = ANY(%s)) AS w "
        "ORDER BY w.weight DESC, c.published_date DESC, c.page_id DESC LIMIT %s"
    )
    with connection.cursor() as cursor:
        execute(cursor, sql, [list(restrictions), page_id, values, candidates, values, limit])
        return [pk for (pk,) in cursor.fetchall()]
