"""The relevance score of the database backend, for every path that ranks: the full score on
PostgreSQL (rank_sql), its cheap first pass over title and summary (first_pass_sql), and the
portable mode's score in Python (score). Each part of the formula is written here once, in
Python and as the SQL that computes the same.

BM25-like scoring on top of ts_rank. ts_rank with no normalisation gives about 0.608 for one
occurrence in a title (weight A = 1) and sums over a clause's alternatives, so a clause with
many glossary alternatives, or a word repeated in every field, could outweigh a page matching
more of the query. Each clause's rank, in units of "one title occurrence", is saturated as
BM25 saturates term frequency (k1), with BM25's length normalisation (b) on the number of
distinct lexemes, and weighted by the clause's inverse document frequency (which plain ts_rank
lacks, so "the missing MASH" is about MASH, not "missing"); then the sum is scaled by the
share of clauses matched (coordination), and typed words found next to each other add a
phrase bonus.
"""

import math
from typing import NamedTuple

from django.db.models.expressions import RawSQL

# The weight of each class of the vectors (indexing.py: title A, summary and tags B, body C)
# and so of each field, as ts_rank and the portable mode weigh an occurrence.
CLASS_WEIGHTS = {"A": 1.0, "B": 0.4, "C": 0.2, "D": 0.1}
FIELD_CLASSES = {"title": "A", "summary": "B", "keywords": "B", "body": "C"}
FIELD_WEIGHTS = {name: CLASS_WEIGHTS[weight] for name, weight in FIELD_CLASSES.items()}
# ts_rank's weights array, in its order: D, C, B, A.
RANK_WEIGHTS_SQL = "'{" + ",".join(str(CLASS_WEIGHTS[c]) for c in "DCBA") + "}'::float4[]"

TITLE_OCCURRENCE = 0.6079
K1 = 1.2
B = 0.75
# Score multiplier = COORDINATION_FLOOR + (1 - floor) * matched clauses / clauses.
COORDINATION_FLOOR = 0.3
PHRASE_BOOST = 0.25


class Weighted(NamedTuple):
    """A clause or a phrase as the full score reads it: its tsquery text and its weight (a
    clause's IDF; a phrase's bonus)."""

    tsquery: str
    weight: float


class ClauseRank(NamedTuple):
    """A clause a document matches, as the portable score reads it: the clause's IDF and the
    document's weighted occurrences of it."""

    idf: float
    rank: float


def idf(total, df):
    return math.log(1 + (total - df + 0.5) / (df + 0.5))


def phrase_weight(total, df):
    """The bonus of typed words found together, as typed."""
    return PHRASE_BOOST * idf(total, df)


def saturate(rank, norm=1.0):
    return rank * (K1 + 1) / (rank + K1 * norm)


def _saturate_sql(rank, norm):
    return f"{rank} * {K1 + 1} / ({rank} + {K1} * {norm})"


def coordination(matched, clauses):
    return COORDINATION_FLOOR + (1 - COORDINATION_FLOOR) * (matched / clauses)


def _coordination_sql(matched, clauses):
    return f"({COORDINATION_FLOOR} + {1 - COORDINATION_FLOOR} * {matched} / {clauses}.0)"


def _length_norm_sql(length, average_length):
    return f"{1 - B} + {B} * {length} / {average_length:.6f}"


def score(matched, clauses):
    """The portable mode's score of a document from the ClauseRanks of the clauses it
    matches, in query order, out of `clauses`: saturated without the length normalisation
    (the norm of an average document). The phrase bonus is added to it."""
    total = 0.0
    for clause in matched:
        total += clause.idf * saturate(clause.rank)
    return total * coordination(len(matched), clauses)


def first_pass_sql(vector):
    """A cheap score for picking the candidates of the full score: ts_rank with the class
    weights over the row's head vector (title and summary), one %s for the tsquery text."""
    return f"coalesce(ts_rank({RANK_WEIGHTS_SQL}, {vector}, to_tsquery('english', %s)), 0)"


def rank_sql(weighted, boosts, average_length, vector):
    """The full score of a row as RawSQL: `weighted` and `boosts` are Weighted clauses and
    adjacent-word phrases.

    Each clause's ts_rank is computed once, in a VALUES list the saturation, the sum and the
    coordination read (written inline, each use would rank, and de-TOAST the vector, again:
    a 24-clause query cost three times as much)."""
    rows, params = [], []
    for text, weight in weighted:
        rows.append(
            f"({weight:.6f}::float8, ts_rank({RANK_WEIGHTS_SQL}, {vector}, "
            f"to_tsquery('english', %s), 0) / {TITLE_OCCURRENCE})"
        )
        params.append(text)
    clauses = (
        f"(SELECT sum(c.w * {_saturate_sql('c.r', 'd.norm')})"  # noqa: S608 - constants
        f" * {_coordination_sql('count(*) FILTER (WHERE c.r > 0)', len(weighted))}"
        f" FROM (VALUES {', '.join(rows)}) AS c (w, r),"
        f" (SELECT {_length_norm_sql(f'length({vector})', average_length)} AS norm) AS d)"
    )
    terms = [clauses]
    for text, weight in boosts:
        # ts_rank ignores the distance operators (it ranks the lexemes), so the phrase bonus
        # is a match test: all or nothing.
        terms.append(f"{weight:.6f} * ({vector} @@ to_tsquery('english', %s))::int")
        params.append(text)
    return RawSQL(f"({' + '.join(terms)})", params)  # noqa: S611 - constants and %s only
