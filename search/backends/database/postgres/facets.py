"""The count and the facet counts of a search on PostgreSQL, exact while few documents match,
else estimated from a sample of the matches."""

import math
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection

from ..sql import TABLE, execute
from .matching import SAMPLE_BUCKETS, SAMPLE_SQL, indexed_buckets

# Up to EXACT_UP_TO matches the count and the facet counts are exact; beyond, the facets (and,
# with more than EXACT_UP_TO filtered matches, the count) are estimated from a sample of about
# SAMPLE_SIZE matches and marked approximate (SEARCH_EXACT_UP_TO, SEARCH_SAMPLE_SIZE).
EXACT_UP_TO = 1000
SAMPLE_SIZE = 1000
# Queries whose estimated matches (from document frequencies) exceed this many times
# EXACT_UP_TO skip the bounded exact count: it would almost surely overflow.
PROBABLY_SMALL = 4
# The matching ids of a small match set as one row of fetch's shape.
_IDS = "SELECT 'ids', string_agg(page_id::text, ','), count(*) FROM {table} WHERE {where}"


@dataclass
class Counted:
    count: int
    facets: dict
    exact: bool  # the count
    facets_approximate: bool = False
    # Estimated matches (all, with every clause in the head, with any): for the ranking.
    estimates: dict = field(default_factory=dict)
    # The matching page ids, when they were few enough to be counted exactly: the ranking
    # then reads those rows only, without matching the words again.
    ids: list | None = None

    @property
    def count_approximate(self):
        return not self.exact


def fetch(sql, params, no_seqscan=False):
    """Rows of (kind, facet=value, n) as {kind: n, "facets": {facet: {value: n}}}, from a
    statement run by sql.execute."""
    from ....facets import FACET_NAMES

    result = {"facets": {name: {} for name in FACET_NAMES}}
    with connection.cursor() as cursor:
        execute(cursor, sql, params, no_seqscan=no_seqscan)
        for kind, value, n in cursor.fetchall():
            if kind == "f":
                name, _, value = value.partition("=")
                if name in result["facets"]:
                    result["facets"][name][value] = n
            elif kind == "ids":
                result["ids"] = [int(pk) for pk in value.split(",")] if value else []
            else:
                result[kind] = n
    return result


def _about(n):
    """An estimate to two significant figures: "about 12,000", not "about 12,345"."""
    return max(1, int(float(f"{n:.2g}"))) if n else 0


def count_and_facets(matching, plan):
    """The count and every facet's counts (each without its own filter, so ticking a value
    never hides its siblings), exact when at most SEARCH_EXACT_UP_TO documents match.

    Beyond that, reading every match (tens of thousands of rows at 100,000 documents) is
    what made searches take seconds, so the facets are counted over a sample of the
    matches: the documents whose hashed page_id falls below a bound (an indexed
    expression, so PostgreSQL reads only those rows), scaled up and marked approximate.
    The count stays exact up to SEARCH_EXACT_UP_TO matches (a bounded count) and is
    estimated from the same sample above it."""
    exact_up_to = getattr(settings, "SEARCH_EXACT_UP_TO", EXACT_UP_TO)
    sample_size = getattr(settings, "SEARCH_SAMPLE_SIZE", SAMPLE_SIZE)
    bits = matching.bits()
    where, params = matching.where(filters=False)
    facet_rows = (
        "SELECT 'f', e.value, count(*) FROM m, jsonb_array_elements_text(m.v) AS e(value) "  # noqa: S608
        f"WHERE (m.ok | {bits.own}) = {bits.full} GROUP BY e.value"
    )
    if plan.estimate <= PROBABLY_SMALL * exact_up_to:
        sql = (
            f"WITH m AS MATERIALIZED (SELECT d.page_id, d.facet_values AS v, {bits.satisfied} "  # noqa: S608
            f"AS ok FROM {TABLE} d WHERE {where} LIMIT %s) "
            "SELECT 'n', NULL, count(*) FROM m "
            f"UNION ALL {_IDS.format(table='m', where=f'ok = {bits.full}')} "
            f"UNION ALL {facet_rows}"
        )
        df_sql, df_params = plan.frequency_rows()
        # With a LIMIT in sight, PostgreSQL likes a sequential scan that tests the words
        # on each row, pricing that test as if it were free; it reads the row's TOASTed
        # vector (10 to 20 microseconds). "CCE" at 10,000 documents: 84 ms scanning,
        # 36 ms through the index.
        rows = fetch(
            sql + df_sql,
            [*bits.params, *params, exact_up_to + 1, *bits.own_params, *df_params],
            no_seqscan=True,
        )
        plan.use_frequencies(rows)
        if rows["n"] <= exact_up_to:
            return Counted(len(rows["ids"]), rows["facets"], exact=True, ids=rows["ids"])
    # Big: a sample of about sample_size matches, and the count bounded.
    estimate = max(plan.estimate, exact_up_to + 1.0)
    buckets = indexed_buckets(math.ceil(SAMPLE_BUCKETS * sample_size / estimate))
    head_every = "d.head_vector @@ to_tsquery('english', %s)" if plan.every else "false"
    head_any = "d.head_vector @@ to_tsquery('english', %s)" if plan.head else "false"
    filtered, filtered_params = matching.where(filters=True)
    # The sample matches the loose query (answered by the index alone), and the exact one
    # (proximity: each row's TOASTed vector read, 10 to 20 microseconds) is checked on a
    # quarter of it only, whose share of exact matches scales the counts: the sample's
    # statement took 15 ms for "MASH" at 100,000 documents, most of it in that check.
    where, params = matching.where(filters=False, exact=False)
    if plan.indexed:
        exact_sql = (
            f"CASE WHEN {SAMPLE_SQL} < %s THEN "
            "coalesce(d.search_vector @@ to_tsquery('english', %s), false) END"
        )
        exact_params = [max(1, buckets // 4), plan.positive]
    else:
        exact_sql, exact_params = "true", []
    full = bits.full
    few = (
        f"(SELECT count(*) FROM m WHERE ok = {full}) * coalesce((SELECT count(*) FROM m "  # noqa: S608
        "WHERE exact)::float8 / nullif((SELECT count(exact) FROM m), 0), 1) <= %s"
    )
    sql = (
        f"WITH m AS MATERIALIZED (SELECT d.facet_values AS v, {bits.satisfied} AS ok, "  # noqa: S608
        f"coalesce({head_every}, false) AS every, coalesce({head_any}, false) AS head, "
        f"{exact_sql} AS exact FROM {TABLE} d WHERE {SAMPLE_SQL} < %s AND {where}) "
        "SELECT 'n', NULL, count(*) FROM m "
        "UNION ALL SELECT 'checked', NULL, count(exact) FROM m "
        "UNION ALL SELECT 'exact', NULL, count(*) FROM m WHERE exact "
        f"UNION ALL SELECT 'm', NULL, count(*) FROM m WHERE ok = {full} "
        f"UNION ALL SELECT 'every', NULL, count(*) FROM m WHERE ok = {full} AND every "
        f"UNION ALL SELECT 'head', NULL, count(*) FROM m WHERE ok = {full} AND head "
        # Counted exactly only when the sample says the filtered matches are few (an
        # uncorrelated condition: PostgreSQL skips the scan when it is false), taking
        # the share of the loose matches that match exactly into account.
        f"UNION ALL SELECT 'counted', NULL, ({few})::int "
        "UNION ALL "
        + _IDS.format(table=f"{TABLE} d", where=f"{filtered} AND {few}")
        + f" UNION ALL {facet_rows}"
    )
    # Counted exactly when the sample says at most exact_up_to filtered documents match:
    # counting up to twice that rebuilt the whole index's bitmap of a common word, 10 to
    # 25 ms, to say "1,343" rather than "about 1,300".
    gate = exact_up_to * buckets // SAMPLE_BUCKETS
    params = [
        *bits.params,
        *([plan.every] if plan.every else []),
        *([plan.head] if plan.head else []),
        *exact_params,
        buckets,
        *params,
        gate,
        *filtered_params,
        gate,
        *bits.own_params,
    ]
    df_sql, df_params = plan.frequency_rows()  # none if counted above
    rows = fetch(sql + df_sql, [*params, *df_params])
    plan.use_frequencies(rows)
    scale = SAMPLE_BUCKETS / buckets
    if rows["checked"]:
        scale *= rows["exact"] / rows["checked"]
    facets = {
        name: {value: _about(n * scale) for value, n in values.items()}
        for name, values in rows["facets"].items()
    }
    exact = bool(rows["counted"])
    return Counted(
        len(rows["ids"]) if exact else _about(rows["m"] * scale),
        facets,
        exact=exact,
        ids=rows["ids"] if exact else None,
        facets_approximate=True,
        estimates={key: rows[key] * scale for key in ("m", "every", "head")},
    )
