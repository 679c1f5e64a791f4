"""A query's plan on PostgreSQL: its tsqueries (exact, loose, for the index, for the first
pass), the weights of its clauses and phrases, and how many documents it should match."""

import re
from dataclasses import dataclass, field
from typing import NamedTuple

from ....query import Clause, adjacent_words
from .. import ranking, statistics
from ..ranking import Weighted
from .query import (
    clause_loose_tsquery,
    clause_tsquery,
    matching_clauses,
    phrase_loose_tsquery,
    phrase_tsquery,
)

# A pasted paragraph is cut to the parser's 24 clauses; of those, this many are ranked.
MAX_RANKED_CLAUSES = 8
_WORD_SPAN = re.compile(r"[^\W_]+")


class RankedClause(NamedTuple):
    """A clause of the query that can match (not only stop words)."""

    tsquery: str
    idf: float
    documents: float  # estimated, from the document frequencies
    loose: str
    clause: Clause


@dataclass
class Plan:
    positive: str | None  # tsquery text: any clause
    loose: str | None  # the same with phrases as plain ANDs (None when that is the same)
    # What the index answers: the loose form without a phrase's commonest words (None when
    # the same as positive). The rows it finds get the exact check.
    indexed: str | None
    # For the first pass over head vectors, where proximity does not matter (ts_rank ignores
    # it): every clause, loosely (None for one clause), and any clause, loosely.
    every: str | None
    head: str | None
    # The loose form of the clause matching fewest documents (None for one clause): what the
    # index answers for `every`, whose own row estimate is far too low (see candidates).
    rarest: str | None
    negative: str | None
    # Whether a document with every clause in its head vector matches the query (some
    # clause needs no proximity check).
    every_implies: bool
    weighted: list[Weighted]  # per ranked clause, weighed by its IDF
    boosts: list[Weighted]  # per adjacent pair
    average_length: float
    estimate: float  # documents expected to match, from document frequencies
    total: int
    # Counts of exact document frequencies, answered with the count (see facets).
    exact_frequencies: list[statistics.FrequencyCount] = field(default_factory=list)

    def frequency_rows(self):
        """UNION ALL rows of facets.fetch's shape ('df<i>', NULL, documents) for the clauses
        (then the phrases) whose exact document frequency is to be counted."""
        sql = "".join(
            f" UNION ALL SELECT 'df{count.index}', NULL, {count.sql}"
            for count in self.exact_frequencies
        )
        return sql, [param for count in self.exact_frequencies for param in count.params]

    def use_frequencies(self, rows):
        """The IDF of each counted clause and phrase from its exact document frequency
        (a prefix can match more documents than counted: then the estimate stays)."""
        up_to = statistics.exact_frequency_limit()
        for count in self.exact_frequencies:
            i = count.index
            n = rows.get(f"df{i}")
            if n is None or n > up_to:
                continue
            if i < len(self.weighted):
                self.weighted[i] = Weighted(self.weighted[i].tsquery, ranking.idf(self.total, n))
            else:
                j = i - len(self.weighted)
                self.boosts[j] = Weighted(
                    self.boosts[j].tsquery, ranking.phrase_weight(self.total, n)
                )
        self.exact_frequencies = []


def plan(query):
    """The tsqueries and weights of a query, and an estimate of how many documents match
    it (from the document frequencies). None when only stop words were typed."""
    negative = [clause_tsquery(c) for c in query.negative]
    words = sorted({w for c in query.positive for alt in c.alternatives for w in alt})
    frequency = statistics.word_frequencies(words)
    total, lexemes = statistics.corpus_statistics()
    average_length = lexemes / total if total and lexemes else 1.0
    ranked = []
    for clause in query.positive:
        df = statistics.clause_frequency(clause, frequency, total)
        if df is not None:
            ranked.append(
                RankedClause(
                    clause_tsquery(clause),
                    ranking.idf(total, df),
                    df,
                    clause_loose_tsquery(clause),
                    clause,
                )
            )
    pairs = adjacent_words(query)
    if len(ranked) > MAX_RANKED_CLAUSES:
        # A pasted paragraph: every clause ranked over every matching row is what made a
        # 10,000-character query take seconds. Keep its most distinctive clauses (highest
        # IDF, as "more like this" picks terms), in the order typed, and match on those.
        unique = list({row.tsquery: row for row in ranked}.values())
        # Words no document holds have the highest IDF but match nothing: last.
        best = sorted(
            range(len(unique)),
            key=lambda i: (unique[i].documents == 0, -unique[i].idf, i),
        )
        ranked = [unique[i] for i in sorted(best[:MAX_RANKED_CLAUSES])]
        kept = {w for row in ranked for w in _WORD_SPAN.findall(row.tsquery)}
        pairs = [p for p in pairs if p[0] in kept and p[1] in kept][:MAX_RANKED_CLAUSES]
    # The clauses ranked and the phrases boosted, with exact document frequencies where
    # they are cheap to count: the bound is the sum over a clause's alternatives of
    # their rarest word's frequency; a phrase is at most as common as its rarer word.
    pair_dfs = [min(frequency.get(w, (0, 0))[1] for w in pair[:2]) for pair in pairs]
    pairs = [pair for pair, df in zip(pairs, pair_dfs, strict=True) if df]
    pair_dfs = [df for df in pair_dfs if df]
    items = [
        statistics.Countable(
            row.tsquery, row.loose, statistics.clause_bound(row.clause, frequency)
        )
        for row in ranked
    ]
    items += [
        statistics.Countable(phrase_tsquery(pair), phrase_loose_tsquery(pair), df)
        for pair, df in zip(pairs, pair_dfs, strict=True)
    ]
    boosts = [
        Weighted(phrase_tsquery(pair), ranking.phrase_weight(total, df))
        for pair, df in zip(pairs, pair_dfs, strict=True)
    ]
    if query.positive and not ranked:
        return None
    missed = 1.0
    for row in ranked:
        missed *= 1 - min(1.0, row.documents / total) if total else 1.0
    matched = matching_clauses([row.clause for row in ranked])
    positive = " | ".join(clause_tsquery(c) for c in matched) or None
    loose = " | ".join(clause_loose_tsquery(c) for c in matched) or None
    indexed = " | ".join(clause_loose_tsquery(c, frequency, total) for c in matched) or None
    several = len(ranked) > 1
    return Plan(
        positive=positive,
        loose=loose if loose != positive else None,
        indexed=indexed if indexed != positive else None,
        every=" & ".join(row.loose for row in ranked) if several else None,
        rarest=min(ranked, key=lambda row: row.documents).loose if several else None,
        every_implies=any(row.tsquery == row.loose for row in ranked),
        head=loose,
        negative=" | ".join(negative) or None,
        weighted=[Weighted(row.tsquery, row.idf) for row in ranked],
        boosts=boosts,
        total=total,
        exact_frequencies=statistics.exact_frequencies(items, total),
        average_length=average_length,
        estimate=total * (1 - missed) if ranked else total,
    )
