"""What IDF is computed from: the corpus size and average vector length (cached), each word's
document frequency (SearchLexeme, kept in step on upsert and delete rather than counted per
search), estimates for clauses from them, and exact counts where those are cheap."""

from typing import NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction

from .sql import LEXEMES, TABLE

# Lexemes of some documents, with how many of those documents hold each (for SearchLexeme).
_LEXEMES_OF = (
    f"SELECT lexeme, count(*) AS n FROM {TABLE} d, "  # noqa: S608 - constants only
    "unnest(tsvector_to_array(d.search_vector)) AS lexeme "
    "WHERE d.page_id = ANY(%s) AND length(lexeme) <= 255 GROUP BY lexeme ORDER BY lexeme"
)
_SUBTRACT_LEXEMES = (
    f"UPDATE {LEXEMES} l SET documents = greatest(l.documents - c.n, 0) "  # noqa: S608
    f"FROM ({_LEXEMES_OF}) c WHERE l.lexeme = c.lexeme"
)
_ADD_LEXEMES = (
    f"INSERT INTO {LEXEMES} (lexeme, documents) SELECT lexeme, n FROM ({_LEXEMES_OF}) c "  # noqa: S608
    f"ON CONFLICT (lexeme) DO UPDATE SET documents = {LEXEMES}.documents + EXCLUDED.documents"
)

CORPUS_STATISTICS_KEY = "search:corpus-statistics:v1"
# Dropped whenever documents are indexed or deleted; the timeout bounds what a bulk load that
# bypasses upsert (or a missed invalidation) leaves behind.
CORPUS_STATISTICS_SECONDS = 5 * 60
# Corpus size from which IDF uses PostgreSQL's estimate of the row count (pg_class.reltuples)
# instead of counting the rows on every search.
ESTIMATED_TOTAL_FROM = 20_000
# Clauses matching at most this many documents get their exact document frequency (counted;
# SEARCH_EXACT_FREQUENCY_UP_TO in settings); commoner ones the per-lexeme estimate.
EXACT_FREQUENCY_UP_TO = 200
# At most this many rows get the proximity check while counting them (see exact_frequencies).
EXACT_FREQUENCY_CHECKS = 400
# ... and on an index of at most this many documents (or for clauses matching under 5% of it).
EXACT_FREQUENCY_SCAN_UP_TO = 500


def subtract_lexemes(cursor, ids):
    """Take the documents' lexemes out of the document frequencies (before their vectors
    change or they go)."""
    cursor.execute(_SUBTRACT_LEXEMES, [ids])


def add_lexemes(cursor, ids):
    cursor.execute(_ADD_LEXEMES, [ids])


def recount_lexemes(cursor):
    """Every document frequency counted again from the stored vectors."""
    cursor.execute(f"DELETE FROM {LEXEMES}")  # noqa: S608 - constant
    cursor.execute(
        f"INSERT INTO {LEXEMES} (lexeme, documents) SELECT word, ndoc FROM "  # noqa: S608
        f"ts_stat('SELECT search_vector FROM {TABLE} WHERE search_vector IS NOT NULL') "
        "WHERE length(word) <= 255"
    )


def corpus_statistics():
    """(documents, lexemes over all documents) for IDF and the average vector length, from the
    cache: summing every lexeme's document frequency on each search took a few ms, and grows
    with the vocabulary."""
    return cache.get_or_set(
        CORPUS_STATISTICS_KEY, _count_corpus_statistics, CORPUS_STATISTICS_SECONDS
    )


def _count_corpus_statistics():
    with connection.cursor() as cursor:
        cursor.execute(
            # Counting 100,000 rows takes a while: above ESTIMATED_TOTAL_FROM documents the
            # planner's row count (kept current by autovacuum) serves IDF as well. CASE
            # evaluates the count only when needed.
            "SELECT (SELECT CASE WHEN c.reltuples >= %s THEN c.reltuples::bigint "  # noqa: S608
            f"ELSE (SELECT count(*) FROM {TABLE}) END FROM pg_class c "
            f"WHERE c.oid = '{TABLE}'::regclass), "
            f"(SELECT coalesce(sum(documents), 0) FROM {LEXEMES})::bigint",
            [ESTIMATED_TOTAL_FROM],
        )
        return tuple(cursor.fetchone())


def forget_corpus_statistics():
    """After indexing or deleting: now, and again once the change is committed (a search
    in between would cache the statistics from before it)."""
    cache.delete(CORPUS_STATISTICS_KEY)
    transaction.on_commit(lambda: cache.delete(CORPUS_STATISTICS_KEY))


def word_frequencies(words):
    """{word: (lexemes, documents)}: per query word its number of lexemes (none for a stop
    word) and document frequency, from SearchLexeme rather than counting matches (a pass over
    every matching row per word)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT q.word, count(t.lexeme), coalesce(max(l.documents), 0)::bigint "  # noqa: S608
            "FROM unnest(%s::text[]) AS q(word) "
            "LEFT JOIN LATERAL unnest(tsvector_to_array(to_tsvector('english', q.word))) "
            f"AS t(lexeme) ON true LEFT JOIN {LEXEMES} l ON l.lexeme = t.lexeme "
            "GROUP BY q.word",
            [words],
        )
        return {word: (n, df) for word, n, df in cursor.fetchall()}


def clause_frequency(clause, frequency, total):
    """Estimated number of documents matching a clause, from its words' document frequencies
    ({word: (lexemes, documents)}): a phrase is as common as its rarest word; alternatives
    combine as independent events (child, children, kids overlap: adding them up would call
    the clause commoner than it is). None when every word is a stop word (to_tsquery drops
    them: nothing matches)."""
    missed, any_lexeme = 1.0, False
    for alternative in clause.alternatives:
        known = [frequency.get(w, (0, 0)) for w in alternative]
        known = [df for n, df in known if n]
        if known:
            any_lexeme = True
            missed *= 1 - min(1.0, min(known) / total) if total else 1.0
    if not any_lexeme:
        return None
    return total * (1 - missed)


def clause_bound(clause, frequency):
    """At most how many documents match a clause (ignoring a prefix): each alternative
    needs all its words, so matches no more documents than its rarest word."""
    bound = 0
    for alternative in clause.alternatives:
        known = [df for n, df in (frequency.get(w, (0, 0)) for w in alternative) if n]
        bound += min(known) if known else 0
    return bound


class Countable(NamedTuple):
    """A clause or phrase whose documents might be counted: its tsquery text, its loose form
    (what the index answers) and an upper bound on its documents."""

    tsquery: str
    loose: str
    bound: int


class FrequencyCount(NamedTuple):
    """A bounded count of the documents matching the index-th Countable, as SQL."""

    index: int
    sql: str
    params: list


def exact_frequency_limit():
    return getattr(settings, "SEARCH_EXACT_FREQUENCY_UP_TO", EXACT_FREQUENCY_UP_TO)


def exact_frequencies(items, total):
    """[FrequencyCount] for the Countables that match few documents.

    The per-lexeme estimate (clause_frequency) calls a phrase as common as its rarest word
    and combines alternatives as independent; BM25 wants the real number, and on a small
    index the difference costs ranking quality (nDCG@10 0.787 against 0.795 on the judged
    set). Counting is an index scan over the matches, so only items whose matches are
    bounded by SEARCH_EXACT_FREQUENCY_UP_TO are counted; common ones, where counting costs
    most and the estimate is relatively closest, keep the estimate. The counts ride along
    with the count-and-facets statement (no round trip of their own): only the ranking,
    which comes after it, needs them."""
    up_to = exact_frequency_limit()
    checked = 0
    parts = []
    for i, (text, loose, bound) in enumerate(items):
        # No item matches more documents than there are (a small index: all counted).
        bound = min(bound, total)
        # Matching a fair share of a small index, PostgreSQL scans the table rather than the
        # index, reading every full vector (6 ms for a word in 20% of 1,000 documents, against
        # 0.5 ms through the index): counted only when the share is small, or the index is.
        if bound > up_to or (bound * 20 > total and total > EXACT_FREQUENCY_SCAN_UP_TO):
            continue
        # The loose form for the index, the exact one (proximity) checked on its rows, as in
        # postgres.matching. That check reads each row's full vector (de-TOASTed, about 20
        # microseconds a row): a pasted paragraph's eight clauses and phrases took 77 ms
        # instead of 50 at 1,000 documents, so at most EXACT_FREQUENCY_CHECKS rows are
        # checked per search (the clauses first; beyond, the estimate).
        check = ""
        if loose != text:
            if checked + bound > EXACT_FREQUENCY_CHECKS:
                continue
            checked += bound
            check = " AND coalesce(d.search_vector @@ to_tsquery('english', %s), false)"
        sql = (
            f"(SELECT count(*) FROM (SELECT 1 FROM {TABLE} d "  # noqa: S608 - constants
            f"WHERE d.search_vector @@ to_tsquery('english', %s){check} LIMIT %s) AS x)"
        )
        parts.append(FrequencyCount(i, sql, [loose, *([text] if check else []), up_to + 1]))
    return parts
