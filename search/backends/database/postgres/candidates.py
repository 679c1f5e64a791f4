"""The page of results on PostgreSQL: by relevance (the full score over a bounded set of
candidates), newest first or most viewed first (read from an index in order)."""

from django.conf import settings
from django.db import connection

from ....models import PageViewCount
from ..ranking import first_pass_sql, rank_sql
from ..sql import TABLE, execute
from .matching import SAMPLE_SQL, buckets_for

# At most this many documents get the full score (SEARCH_RANK_CANDIDATES).
RANK_CANDIDATES = 300
# Rows read per tier of the first pass, as a multiple of the candidates wanted.
TIER_ROWS = 3


def _first_pass_tiers(matching, plan, counted, wanted):
    """SQL and parameters of the candidates of a match set too large to count: documents with
    every clause in their title or summary first, then any clause there, then the rest, each
    tier read in full when the sample says it is small and else through the sample."""
    cheap = first_pass_sql("d.head_vector")
    tiers, params = [], []
    row_sql, row_params = matching.where(filters=True, words=False)
    estimates = counted.estimates
    found = 0.0
    for level, condition, estimate in (
        (2, plan.every, estimates["every"]),
        (1, plan.head, estimates["head"]),
        (0, None, estimates["m"]),
    ):
        if level == 2 and not condition:
            continue
        buckets = buckets_for(wanted - found, estimate - found)
        # A row whose head vector matches the loose query matches it in full (the
        # head's lexemes are the full vector's); the rest is found by the index.
        words = "AND d.head_vector @@ to_tsquery('english', %s) "
        indexed = []
        if level == 2:
            # PostgreSQL estimates the AND of the clauses as if their words were
            # independent (at 100,000 documents: 62 rows for "county lines", where
            # 8,904 match), so it read all of them from the heap rather than ANDing
            # the sample and filter indexes with the head index. The index answers
            # the rarest clause, whose estimate is sound; the AND is checked on the
            # rows that leaves (57 ms to 14 ms for that query).
            words += "AND coalesce(d.head_vector @@ to_tsquery('english', %s), false) "
            indexed = [plan.rarest]
        elif level == 0:
            words = "AND d.search_vector @@ to_tsquery('english', %s) "
            indexed = [plan.indexed or plan.positive]
        # The exact query (proximity, excluded words) is checked with the full score,
        # on the vector read for it: checked here, each row's TOASTed vector was
        # read twice (about 15 microseconds each time).
        tiers.append(
            f"(SELECT d.page_id, {level} AS tier, {cheap if condition else '0'} AS cheap, "  # noqa: S608
            f"d.published_date FROM {TABLE} d WHERE {SAMPLE_SQL} < %s "
            f"{words}AND {row_sql} LIMIT %s)"
        )
        params += [
            *([plan.head] if condition else []),
            buckets,
            *indexed,
            *([condition] if condition else []),
            *row_params,
            # A wrong estimate costs at most this many rows.
            TIER_ROWS * wanted,
        ]
        found = max(found, estimate)
        if found >= wanted:
            break
    sql = (
        "SELECT page_id FROM (" + " UNION ALL ".join(tiers) + ") AS tiers "  # noqa: S608
        "GROUP BY page_id, published_date "
        "ORDER BY max(tier) DESC, max(cheap) DESC, published_date DESC, page_id DESC "
        "LIMIT %s"
    )
    return sql, [*params, wanted]


def ranked(matching, plan, counted, request):
    """[(page_id, score)] of the requested page, by relevance.

    The full score (ranking.rank_sql: ts_rank per clause over the whole TOASTed vector)
    costs tens of microseconds a row, so it is computed for at most SEARCH_RANK_CANDIDATES
    documents. With more matches than that, the candidates are the best by a cheap first
    pass (ranking.first_pass_sql over head_vector: title and summary, stored in the row).
    With more matches than can be counted exactly, even the first pass reads a bounded
    number of rows (_first_pass_tiers). Results within a corpus of up to
    SEARCH_RANK_CANDIDATES matches are ranked exactly by the full score."""
    wanted = max(
        getattr(settings, "SEARCH_RANK_CANDIDATES", RANK_CANDIDATES),
        request.offset + request.limit,
    )
    check, check_params = "", []  # the candidates are known to match
    if counted.ids is not None and len(counted.ids) <= wanted:
        candidates = "SELECT unnest(%s::int[]) AS page_id"
        candidate_params = [counted.ids]
    elif counted.ids is not None or not counted.estimates:
        if counted.ids is not None:
            # The matches are known: no need to match the words again.
            filtered, params = "d.page_id = ANY(%s)", [counted.ids]
        else:
            filtered, params = matching.where(filters=True)
        candidates = (
            f"SELECT d.page_id FROM {TABLE} d WHERE {filtered} "  # noqa: S608
            f"ORDER BY {first_pass_sql('d.head_vector')} DESC, d.published_date DESC, "
            "d.page_id DESC LIMIT %s"
        )
        candidate_params = [*params, plan.head, wanted]
    else:
        candidates, candidate_params = _first_pass_tiers(matching, plan, counted, wanted)
        check = "WHERE r.v @@ to_tsquery('english', %s) "
        check_params = [plan.positive]
        if plan.negative:
            check += "AND NOT r.v @@ to_tsquery('english', %s) "
            check_params.append(plan.negative)
    rank = rank_sql(plan.weighted, plan.boosts, plan.average_length, vector="r.v")
    # The vector is de-TOASTed once per row (the concatenation makes an in-memory copy,
    # kept by OFFSET 0 from being inlined): each ts_rank reading the column itself
    # fetched and decompressed it again, once per clause.
    sql = (
        f"WITH c AS ({candidates}) "  # noqa: S608 - constants and %s only
        f"SELECT r.page_id, {rank.sql} AS rank FROM ("
        f"SELECT page_id, published_date, search_vector || ''::tsvector AS v FROM {TABLE} "
        f"WHERE page_id IN (SELECT page_id FROM c) OFFSET 0) AS r {check}"
        "ORDER BY rank DESC, r.published_date DESC, r.page_id DESC LIMIT %s OFFSET %s"
    )
    with connection.cursor() as cursor:
        execute(
            cursor,
            sql,
            [*candidate_params, *rank.params, *check_params, request.limit, request.offset],
        )
        return [(pk, float(score)) for pk, score in cursor.fetchall()]


def ordered(matching, request):
    """[(page_id, None)] of the requested page, newest or most viewed first.

    Both orders are read from an index in order, testing each row until the page is full
    (for a common word, a few dozen rows), rather than collecting every match and sorting
    it: at 100,000 documents the empty query took 40 ms and "training" sorted by date
    300 ms that way. PostgreSQL still collects and sorts when it expects few matches."""
    filtered, params = matching.where(filters=True)
    wanted = request.offset + request.limit
    newest = "ORDER BY d.published_date DESC, d.page_id DESC"
    if request.sort == "most-viewed":
        views = PageViewCount._meta.db_table
        # Viewed pages by their views (the views index, in order), then the pages nobody
        # has viewed yet, newest first (coalesce(views, 0) in one ORDER BY can use neither
        # index).
        sql = (
            "SELECT page_id, NULL FROM ("  # noqa: S608 - constants and %s only
            f"(SELECT d.page_id, 1 AS viewed, v.views, d.published_date FROM {views} v "
            f"JOIN {TABLE} d ON d.page_id = v.page_id WHERE v.views > 0 AND {filtered} "
            "ORDER BY v.views DESC, d.published_date DESC, d.page_id DESC LIMIT %s) "
            "UNION ALL "
            f"(SELECT d.page_id, 0, 0, d.published_date FROM {TABLE} d WHERE {filtered} "
            f"AND NOT EXISTS (SELECT 1 FROM {views} v WHERE v.page_id = d.page_id "
            f"AND v.views > 0) {newest} LIMIT %s)) AS o "
            "ORDER BY viewed DESC, views DESC, published_date DESC, page_id DESC "
            "LIMIT %s OFFSET %s"
        )
        params = [*params, wanted, *params, wanted]
    else:
        sql = (
            f"SELECT d.page_id, NULL FROM {TABLE} d WHERE {filtered} "  # noqa: S608
            f"{newest} LIMIT %s OFFSET %s"
        )
    with connection.cursor() as cursor:
        execute(cursor, sql, [*params, request.limit, request.offset])
        return cursor.fetchall()
