"""The database backend: PostgreSQL full-text search, or a simple equivalent on SQLite.

On PostgreSQL each document has a weighted tsvector (title A, summary and tags B, body C) with
a GIN index. Clauses are ORed for recall and ranked BM25-style: each clause's ts_rank is
saturated (k1) and length-normalised (b), weighted by its inverse document frequency, which
plain ts_rank lacks (so "the missing MASH" is about MASH, not "missing"); the sum is scaled by
the share of clauses matched, and typed words found together as a phrase add a bonus. Document
frequencies come from SearchLexeme, kept in step on upsert and delete, not from counting
matches. Typo correction uses pg_trgm on the vocabulary; highlights come from ts_headline,
computed for the returned page only.

What a search reads is bounded, whatever the size of the index (issue 3: at 100,000 documents
a common word matches 60% of them, and reading every matching TOASTed vector, to count and to
rank, took seconds):

- Matching: the GIN index answers a loose form of the query (a phrase's words merely all
  present); the exact form, with the proximity alternatives of glossary phrases, is checked
  only on the rows found (its many phrase operators made the index scan itself slow).
- Count and facets: one statement over the matches when at most SEARCH_EXACT_UP_TO match;
  beyond, the facet counts come from a sample of about SEARCH_SAMPLE_SIZE matches (an indexed
  hash of page_id, so only the sampled rows are read; the sample's own small GIN indexes
  answer its words), scaled up and flagged approximate ("about" on the page and in the API).
  The sample matches the loose query; the exact one is checked on a quarter of it, whose
  share of exact matches scales the counts. The count stays exact while the sample puts the
  filtered matches within the limit, and is estimated beyond. Each document carries its
  facet values (facet_values, indexed as an array), so neither filters nor counts join
  SearchFacet.
- Phrases that cannot change what matches (a glossary phrase holding a word that is itself
  an alternative) are left out of matching, so fewer rows need the proximity check.
- Ranking: the full score is computed for at most SEARCH_RANK_CANDIDATES documents, picked
  by a cheap first pass over head_vector (title and summary, kept in the row); over a very
  large match set the first pass too reads a sample, documents with every clause in their
  title or summary first. Below the candidate limit (any corpus of a few hundred documents)
  the ranking is exactly the full score's.
- A pasted paragraph keeps its MAX_RANKED_CLAUSES most distinctive clauses (highest IDF).
- As-you-type suggestions rank the newest SEARCH_SUGGEST_CANDIDATES matching titles, and
  related practice weighs the newest SEARCH_RELATED_CANDIDATES pages sharing a tag; newest
  first and most viewed are read in index order. Every statement runs without parallel
  workers (_execute).
- IDF uses the exact number of documents matching a clause (or a phrase of the bonus) when
  that is at most SEARCH_EXACT_FREQUENCY_UP_TO (always, on an index that small), counted
  within the count-and-facets statement; commoner clauses keep the per-lexeme estimate.

The portable mode (SQLite, the embedded default) keeps the same tables and facets and matches
words with LIKE, then scores the candidates in Python with the same IDF weighting. It is meant
for the demo's few hundred pages, not for a production corpus.
"""

import math
import re
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.postgres.search import (
    SearchVector,
)
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from .. import vocabulary
from ..models import (
    PageViewCount,
    SearchDocument,
    SearchFacet,
    SearchLexeme,
)
from ..query import NEAR, STOP_WORDS, Clause, adjacent_words, words_of
from .base import MARK_END, MARK_START, BackendResult, Hit, SearchBackend

TABLE = SearchDocument._meta.db_table
LEXEMES = SearchLexeme._meta.db_table
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
# What upsert writes besides the text, for rows written straight into the tables: the head
# vector (title A, summary and tags B) and the facet values from SearchFacet.
_DERIVE_HEAD = (
    f"UPDATE {TABLE} SET head_vector = "  # noqa: S608 - constants only
    "setweight(to_tsvector('english', coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('english', coalesce(summary, '') || ' ' || coalesce(keywords, '')), "
    "'B') WHERE head_vector IS NULL AND search_vector IS NOT NULL"
)
_DERIVE_FACET_VALUES = (
    f"UPDATE {TABLE} d SET facet_values = (SELECT jsonb_agg("  # noqa: S608 - constants only
    "f.facet || '=' || f.value ORDER BY f.facet, f.value) "
    f"FROM {SearchFacet._meta.db_table} f WHERE f.document_id = d.page_id) "
    "WHERE d.facet_values = '[]'::jsonb AND EXISTS (SELECT 1 FROM "
    f"{SearchFacet._meta.db_table} f WHERE f.document_id = d.page_id)"
)
# ts_rank's weights for D, C, B, A: body 0.2, summary and tags 0.4, title 1.
RANK_WEIGHTS = [0.1, 0.2, 0.4, 1.0]
FIELD_WEIGHTS = {"title": 1.0, "summary": 0.4, "keywords": 0.4, "body": 0.2}
HEADLINE_OPTIONS = (
    f'StartSel="{MARK_START}", StopSel="{MARK_END}", MaxWords=35, MinWords=15, '
    'MaxFragments=2, FragmentDelimiter=" … "'
)
HIGHLIGHT_WORDS = 35
# What a hit shows (search.backends.base.Hit), read for the page of results.
_HIT_FIELDS = ("external_id", "title", "url", "summary", "force", "published_date")


def _stem(word):
    """A crude English stemmer for the portable mode (PostgreSQL uses Snowball)."""
    for suffix in ("ings", "ing", "ies", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def _content_words(words):
    kept = [w for w in words if w not in STOP_WORDS]
    return kept or list(words)


def _tsquery_alternative(words, prefix, exact):
    parts = list(words) if exact else _content_words(words)
    if prefix:
        parts[-1] += ":*"
    if exact or len(parts) == 1:
        return " <-> ".join(parts)
    pairs = []
    for a, b in zip(parts, parts[1:], strict=False):
        near = [f"{x} <{n}> {y}" for n in range(1, NEAR + 1) for x, y in ((a, b), (b, a))]
        pairs.append("(" + " | ".join(near) + ")")
    return " & ".join(pairs)


def clause_tsquery(clause):
    """A clause as to_tsquery text. Words are [^\\W_]+ only (see search.query), so the text
    can hold no operator the user typed. Quoted phrases match word for word; other phrases
    (hyphenated words, glossary alternatives) match their words near each other."""
    alternatives = [
        _tsquery_alternative(alt, clause.prefix and i == 0, clause.quoted)
        for i, alt in enumerate(clause.alternatives)
    ]
    return "(" + " | ".join(alternatives) + ")"


# In what the index answers, a phrase's words found in more than this share of documents are
# left out (the rarest word always stays): the index reads every document listed under each
# word, and "child" (in 98% of them at 100,000) cost more than the rest of "child sexual
# exploitation" narrowed; the exact check on the rows found puts the phrase back.
COMMON_WORD_SHARE = 0.5


def clause_loose_tsquery(clause, frequency=None, total=0):
    """The clause with each phrase's words merely all present (a & b), which every document
    matching clause_tsquery also matches. PostgreSQL's GIN index answers it without the
    positions, and evaluates its small tree quickly for every candidate document; the eight
    proximity variants per word pair of a glossary phrase cost far more there, so they are
    checked afterwards, only on the rows that pass (see _Matching).

    With the words' `frequency` ({word: (lexemes, documents)}) and the corpus size, a phrase
    also loses its words found in more than COMMON_WORD_SHARE of the documents: what the
    index is asked."""
    alternatives = []
    for i, alt in enumerate(clause.alternatives):
        parts = list(alt) if clause.quoted else _content_words(alt)
        if clause.prefix and i == 0:
            parts[-1] += ":*"
        elif frequency is not None and len(parts) > 1:
            # A stop word has no lexeme and is never the one kept (to_tsquery drops it: the
            # alternative would match nothing).
            known = {w: frequency[w][1] for w in parts if frequency.get(w, (0, 0))[0]}
            if known:
                rarest = min(known, key=known.get)
                parts = [w for w in known if w == rarest or known[w] <= COMMON_WORD_SHARE * total]
        alternatives.append(" & ".join(parts))
    return "(" + " | ".join(alternatives) + ")"


def idf(total, df):
    return math.log(1 + (total - df + 0.5) / (df + 0.5))


# BM25-like scoring on top of ts_rank. ts_rank with no normalisation gives about 0.608 for
# one occurrence in a title (weight A = 1) and sums over a clause's alternatives, so a clause
# with many glossary alternatives, or a word repeated in every field, could outweigh a page
# matching more of the query. Each clause's rank, in units of "one title occurrence", is
# saturated as BM25 saturates term frequency (k1), with BM25's length normalisation (b) on the
# number of distinct lexemes; then the sum is scaled by the share of clauses matched
# (coordination), and typed words found next to each other add a phrase bonus.
TITLE_OCCURRENCE = 0.6079
K1 = 1.2
B = 0.75
# Score multiplier = COORDINATION_FLOOR + (1 - floor) * matched clauses / clauses.
COORDINATION_FLOOR = 0.3
PHRASE_BOOST = 0.25
VECTOR = f'"{TABLE}"."search_vector"'
_RANK_WEIGHTS = "'{" + ",".join(str(w) for w in RANK_WEIGHTS) + "}'::float4[]"

# Bounds on the rows one search reads on PostgreSQL (each overridable in settings as
# SEARCH_EXACT_UP_TO, SEARCH_SAMPLE_SIZE and SEARCH_RANK_CANDIDATES). Up to EXACT_UP_TO
# matches the count and the facet counts are exact; beyond, the facets (and, with more than
# EXACT_UP_TO filtered matches, the count) are estimated from a sample of about SAMPLE_SIZE
# matches and marked approximate. At most RANK_CANDIDATES documents get the full score.
EXACT_UP_TO = 1000
SAMPLE_SIZE = 1000
RANK_CANDIDATES = 300
# As-you-type suggestions rank at most this many matching titles, the newest (a common start
# of a word, "chi", is in 40% of the titles at 100,000 documents: ranking them all by
# similarity took 400 to 1,000 ms); related practice weighs at most this many pages sharing a
# tag with the page, the newest (SEARCH_SUGGEST_CANDIDATES, SEARCH_RELATED_CANDIDATES).
SUGGEST_CANDIDATES = 50
RELATED_CANDIDATES = 2000
# Rows read per tier of the first pass, as a multiple of the candidates wanted.
TIER_ROWS = 3
# Queries whose estimated matches (from document frequencies) exceed this many times
# EXACT_UP_TO skip the bounded exact count: it would almost surely overflow.
PROBABLY_SMALL = 4
# The sample: documents whose hashed page_id falls in the first n of SAMPLE_BUCKETS buckets.
# The expression is indexed (migration 0006), so PostgreSQL ANDs it with the full-text bitmap
# and reads only the sampled rows. A page's id says nothing about its text or tags, and the
# hash spreads even a short run of ids over the buckets; ids are hashed in runs of eight, so
# the sampled rows share heap pages (rows one per page made every sampled row a page read).
SAMPLE_BUCKETS = 1024
SAMPLE_SQL = f"(hashint4(d.page_id >> 3) & {SAMPLE_BUCKETS - 1})"
# The first this many buckets (an eighth of the documents) have their own full-text indexes,
# bucket and vector in one GIN index (migration 0007): a common word's list there is an
# eighth as long, and the bucket range is applied inside the index, where ANDing the whole
# index's bitmap with the sample cost 15 to 25 ms a statement at 100,000 documents. A sample
# stays within them when that keeps at least half the rows wanted (see _indexed).
SAMPLE_INDEXED_BUCKETS = 128
# Corpus size from which IDF uses PostgreSQL's estimate of the row count (pg_class.reltuples)
# instead of counting the rows on every search.
ESTIMATED_TOTAL_FROM = 20_000
# A pasted paragraph is cut to the parser's 24 clauses; of those, this many are ranked.
MAX_RANKED_CLAUSES = 8
# Clauses matching at most this many documents get their exact document frequency (counted;
# SEARCH_EXACT_FREQUENCY_UP_TO in settings); commoner ones the per-lexeme estimate.
EXACT_FREQUENCY_UP_TO = 200
# At most this many rows get the proximity check while counting them (see _exact_frequencies).
EXACT_FREQUENCY_CHECKS = 400
# ... and on an index of at most this many documents (or for clauses matching under 5% of it).
EXACT_FREQUENCY_SCAN_UP_TO = 500


def _rank_sql(weighted, boosts, average_length, vector=VECTOR):
    """The relevance score of a row as RawSQL: `weighted` and `boosts` are (tsquery text,
    weight) pairs for the clauses and the adjacent-word phrases.

    Each clause's ts_rank is computed once, in a VALUES list the saturation, the sum and the
    coordination read (written inline, each use would rank, and de-TOAST the vector, again:
    a 24-clause query cost three times as much)."""
    weights = "'{" + ",".join(str(w) for w in RANK_WEIGHTS) + "}'::float4[]"
    rows, params = [], []
    for text, weight in weighted:
        rows.append(
            f"({weight:.6f}::float8, ts_rank({weights}, {vector}, to_tsquery('english', %s), 0)"
            f" / {TITLE_OCCURRENCE})"
        )
        params.append(text)
    clauses = (
        f"(SELECT sum(c.w * c.r * {K1 + 1} / (c.r + {K1} * d.norm))"  # noqa: S608 - constants
        f" * ({COORDINATION_FLOOR} + {1 - COORDINATION_FLOOR}"
        f" * count(*) FILTER (WHERE c.r > 0) / {len(weighted)}.0)"
        f" FROM (VALUES {', '.join(rows)}) AS c (w, r),"
        f" (SELECT {1 - B} + {B} * length({vector}) / {average_length:.6f} AS norm) AS d)"
    )
    terms = [clauses]
    for text, weight in boosts:
        # ts_rank ignores the distance operators (it ranks the lexemes), so the phrase bonus
        # is a match test: all or nothing.
        terms.append(f"{weight:.6f} * ({vector} @@ to_tsquery('english', %s))::int")
        params.append(text)
    return RawSQL(f"({' + '.join(terms)})", params)  # noqa: S611 - constants and %s only


def _clause_frequency(clause, frequency, total):
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


def _phrase_tsquery(pair):
    first, second, distance, prefix = pair
    return f"{first} <{distance}> {second}" + (":*" if prefix else "")


def _phrase_loose_tsquery(pair):
    first, second, _distance, prefix = pair
    return f"{first} & {second}" + (":*" if prefix else "")


def _matching_clauses(clauses):
    """The clauses as matching needs them: without the phrase alternatives that hold a word
    which is itself an alternative of some clause. Clauses are ORed, so a document with such a
    phrase matches through the word anyway, and every phrase left is a proximity check on each
    candidate row, which reads its TOASTed vector ("runaway" brings "missing" and "missing
    from home": the phrase adds nothing). Clauses left with no alternative go. The ranking
    keeps the clauses whole."""
    words = {
        alternative[0]
        for clause in clauses
        for alternative in clause.alternatives
        if len(alternative) == 1 and alternative[0] not in STOP_WORDS
    }
    matched = []
    for clause in clauses:
        kept = tuple(
            alternative
            for i, alternative in enumerate(clause.alternatives)
            # The first alternative carries the prefix, if any: it stays first.
            if len(alternative) == 1 or (i == 0 and clause.prefix) or not words & set(alternative)
        )
        if kept:
            matched.append(
                Clause(kept, clause.negated, clause.prefix, clause.phrase, clause.quoted)
            )
    return matched


def _clause_bound(clause, frequency):
    """At most how many documents match a clause (ignoring a prefix): each alternative
    needs all its words, so matches no more documents than its rarest word."""
    bound = 0
    for alternative in clause.alternatives:
        known = [df for n, df in (frequency.get(w, (0, 0)) for w in alternative) if n]
        bound += min(known) if known else 0
    return bound


class DatabaseBackend(SearchBackend):
    def __init__(self, portable=False):
        self.portable = portable

    @property
    def postgres(self):
        return connection.vendor == "postgresql"

    @property
    def full_text(self):
        return self.postgres and not self.portable

    # Indexing

    def upsert(self, documents):
        documents = list(documents)
        if not documents:
            return
        ids = [doc.page_id for doc in documents]
        with transaction.atomic():
            previous_words = vocabulary.before_change(ids)
            for doc in documents:
                SearchDocument.objects.update_or_create(
                    page_id=doc.page_id,
                    defaults={
                        "external_id": doc.external_id,
                        "title": doc.title,
                        "summary": doc.summary,
                        "keywords": doc.keywords,
                        "body": doc.body,
                        "url": doc.url,
                        "force": doc.force,
                        "published_date": doc.published_date,
                        "restriction": doc.restriction,
                        "facet_values": sorted(
                            f"{name}={value}"
                            for name, values in doc.facets.items()
                            for value in values
                        ),
                    },
                )
            SearchFacet.objects.filter(document_id__in=ids).delete()
            SearchFacet.objects.bulk_create(
                SearchFacet(document_id=doc.page_id, facet=name, value=value)
                for doc in documents
                for name, values in doc.facets.items()
                for value in values
            )
            if self.postgres:
                # Document frequencies: take out the old vectors' lexemes, put in the new ones
                # (a repeated upsert takes out and puts back the same, changing nothing).
                with connection.cursor() as cursor:
                    cursor.execute(_SUBTRACT_LEXEMES, [ids])
                SearchDocument.objects.filter(page_id__in=ids).update(
                    search_vector=SearchVector("title", weight="A", config="english")
                    + SearchVector("summary", "keywords", weight="B", config="english")
                    + SearchVector("body", weight="C", config="english"),
                    head_vector=SearchVector("title", weight="A", config="english")
                    + SearchVector("summary", "keywords", weight="B", config="english"),
                )
                with connection.cursor() as cursor:
                    cursor.execute(_ADD_LEXEMES, [ids])
            vocabulary.after_change(previous_words, documents)
            forget_corpus_statistics()

    def delete(self, page_ids):
        ids = list(page_ids)
        with transaction.atomic():
            previous_words = vocabulary.before_change(ids)
            if self.postgres:
                with connection.cursor() as cursor:
                    cursor.execute(_SUBTRACT_LEXEMES, [ids])
            SearchDocument.objects.filter(page_id__in=ids).delete()
            vocabulary.after_change(previous_words)
            forget_corpus_statistics()

    def clear(self):
        with transaction.atomic():
            SearchDocument.objects.all().delete()
            SearchLexeme.objects.all().delete()
            vocabulary.clear()
            forget_corpus_statistics()

    def refresh_statistics(self):
        """Recount the document frequencies from the stored vectors, after rows were written
        without upsert (a bulk load), and derive what upsert derives (head_vector and
        facet_values) for rows that lack it, and the vocabulary."""
        vocabulary.recount()
        if not self.postgres:
            return
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(_DERIVE_HEAD)
            cursor.execute(_DERIVE_FACET_VALUES)
            cursor.execute(f"DELETE FROM {LEXEMES}")  # noqa: S608 - constant
            cursor.execute(
                f"INSERT INTO {LEXEMES} (lexeme, documents) SELECT word, ndoc FROM "  # noqa: S608
                f"ts_stat('SELECT search_vector FROM {TABLE} WHERE search_vector IS NOT NULL') "
                "WHERE length(word) <= 255"
            )
            forget_corpus_statistics()

    # Searching

    def search(self, request):
        if self.full_text:
            return self._search_postgres(request)
        return self._search_portable(request)

    def _search_portable(self, request):
        visible = SearchDocument.objects.filter(restriction__in=request.restrictions)
        query = request.query
        scores = None
        if query.clauses:
            scores = self._match_portable(visible, query)
            visible = visible.filter(pk__in=list(scores))
        results = self._filtered(visible, request.filters)
        count = results.count()
        facet_counts = self._facet_counts(visible, request.filters)
        window = slice(request.offset, request.offset + request.limit)
        if request.sort == "relevance" and query.positive:
            ids = list(results.values_list("pk", "published_date"))
            ids.sort(key=lambda row: (-scores[row[0]], -row[1].toordinal(), -row[0]))
            by_id = SearchDocument.objects.in_bulk([pk for pk, _ in ids[window]])
            page = [by_id[pk] for pk, _ in ids[window]]
        elif request.sort == "most-viewed":
            views = PageViewCount.objects.filter(page_id=OuterRef("pk")).values("views")
            page = list(
                results.annotate(views=Coalesce(Subquery(views), 0)).order_by(
                    "-views", "-published_date", "-pk"
                )[window]
            )
        else:
            page = list(results.order_by("-published_date", "-pk")[window])
        return BackendResult(count, self._hits(page, query, scores, None), facet_counts)

    def _filtered(self, queryset, filters, skip=None):
        for name, values in filters.items():
            if name == skip:
                continue
            queryset = queryset.filter(
                Exists(
                    SearchFacet.objects.filter(
                        document_id=OuterRef("pk"), facet=name, value__in=values
                    )
                )
            )
        return queryset

    def _facet_counts(self, matches, filters):
        from ..facets import FACET_NAMES

        counts = {name: {} for name in FACET_NAMES}
        # Facets nobody ticked share one base (every filter applies): one query for all of them.
        # Each ticked facet is counted without its own filter, so its siblings keep counts.
        groups = [([n for n in FACET_NAMES if n not in filters], None)]
        groups += [([name], name) for name in filters]
        for names, skip in groups:
            if not names:
                continue
            documents = self._filtered(matches, filters, skip=skip).values("pk")
            rows = (
                SearchFacet.objects.filter(facet__in=names, document_id__in=documents)
                .values_list("facet", "value")
                .annotate(n=Count("document_id"))
            )
            for facet, value, n in rows:
                counts[facet][value] = n
        return counts

    def _search_postgres(self, request):
        """Count, facets and the page of results in three statements (plus the statistics
        and the highlights), each reading a bounded number of rows however many match."""
        from ..facets import FACET_NAMES

        query = request.query
        plan = self._plan_postgres(query)
        if plan is None:  # only stop words ("the", "and"): nothing can match them
            return BackendResult(0, [], {name: {} for name in FACET_NAMES})
        matching = _Matching(request.restrictions, plan, request.filters)
        if request.sort != "relevance":
            plan.exact_frequencies = []  # only the ranking reads them
        counted = self._count_and_facets(matching, plan)
        if request.sort == "relevance" and plan.weighted:
            rows = self._ranked(matching, plan, counted, request)
        else:
            rows = self._ordered(matching, request)
        # The page's rows with their highlights in one statement, without the columns a hit
        # does not show (the vectors and the body are TOASTed: each read is a fetch and a
        # decompression; ts_headline reads the body in SQL).
        documents = SearchDocument.objects.filter(pk__in=[pk for pk, _ in rows]).only(*_HIT_FIELDS)
        tsquery = plan.loose or plan.positive
        if tsquery and rows:
            documents = documents.annotate(
                highlight=RawSQL(
                    "ts_headline('english', summary || E'\\n' || body, "
                    "to_tsquery('english', %s), %s)",
                    [tsquery, HEADLINE_OPTIONS],
                )
            )
        by_id = {doc.pk: doc for doc in documents}
        page = []
        for pk, rank in rows:
            if pk in by_id:  # unless deleted since
                by_id[pk].rank = rank
                page.append(by_id[pk])
        return BackendResult(
            counted.count,
            self._hits(page, query, None, None),
            counted.facets,
            count_approximate=counted.count_approximate,
            facets_approximate=counted.facets_approximate,
        )

    def _plan_postgres(self, query):
        """The tsqueries and weights of a query, and an estimate of how many documents match
        it (from the document frequencies). None when only stop words were typed."""
        positive = [clause_tsquery(c) for c in query.positive]
        negative = [clause_tsquery(c) for c in query.negative]
        # One round trip: the corpus size, the average number of lexemes per document (the
        # sum of the document frequencies over the corpus size), and per query word its
        # lexeme (none for a stop word) and document frequency, from SearchLexeme rather
        # than counting matches (a pass over every matching row per word).
        # Only constants and %s placeholders are formatted into SQL here.
        words = sorted({w for c in query.positive for alt in c.alternatives for w in alt})
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT q.word, count(t.lexeme), coalesce(max(l.documents), 0)::bigint "  # noqa: S608
                "FROM unnest(%s::text[]) AS q(word) "
                "LEFT JOIN LATERAL unnest(tsvector_to_array(to_tsvector('english', q.word))) "
                f"AS t(lexeme) ON true LEFT JOIN {LEXEMES} l ON l.lexeme = t.lexeme "
                "GROUP BY q.word",
                [words],
            )
            frequency = {word: (n, df) for word, n, df in cursor.fetchall()}
        total, lexemes = _corpus_statistics()
        average_length = lexemes / total if total and lexemes else 1.0
        weighted = []  # (tsquery text, idf, documents, loose tsquery text, clause)
        for clause, text in zip(query.positive, positive, strict=True):
            df = _clause_frequency(clause, frequency, total)
            if df is not None:
                weighted.append((text, idf(total, df), df, clause_loose_tsquery(clause), clause))
        pairs = adjacent_words(query)
        if len(weighted) > MAX_RANKED_CLAUSES:
            # A pasted paragraph: every clause ranked over every matching row is what made a
            # 10,000-character query take seconds. Keep its most distinctive clauses (highest
            # IDF, as "more like this" picks terms), in the order typed, and match on those.
            unique = list({row[0]: row for row in weighted}.values())
            # Words no document holds have the highest IDF but match nothing: last.
            best = sorted(range(len(unique)), key=lambda i: (unique[i][2] == 0, -unique[i][1], i))
            weighted = [unique[i] for i in sorted(best[:MAX_RANKED_CLAUSES])]
            kept = {w for row in weighted for w in _WORD_SPAN.findall(row[0])}
            pairs = [p for p in pairs if p[0] in kept and p[1] in kept][:MAX_RANKED_CLAUSES]
        # The clauses ranked and the phrases boosted, with exact document frequencies where
        # they are cheap to count: the bound is the sum over a clause's alternatives of
        # their rarest word's frequency; a phrase is at most as common as its rarer word.
        pair_dfs = [min(frequency.get(w, (0, 0))[1] for w in pair[:2]) for pair in pairs]
        pairs = [pair for pair, df in zip(pairs, pair_dfs, strict=True) if df]
        pair_dfs = [df for df in pair_dfs if df]
        items = [(row[0], row[3], _clause_bound(row[4], frequency)) for row in weighted]
        items += [
            (_phrase_tsquery(pair), _phrase_loose_tsquery(pair), df)
            for pair, df in zip(pairs, pair_dfs, strict=True)
        ]
        boosts = [
            (_phrase_tsquery(pair), PHRASE_BOOST * idf(total, df))
            for pair, df in zip(pairs, pair_dfs, strict=True)
        ]
        if query.positive and not weighted:
            return None
        missed = 1.0
        for row in weighted:
            missed *= 1 - min(1.0, row[2] / total) if total else 1.0
        matched = _matching_clauses([row[4] for row in weighted])
        positive_text = " | ".join(clause_tsquery(c) for c in matched) or None
        loose = " | ".join(clause_loose_tsquery(c) for c in matched) or None
        indexed = " | ".join(clause_loose_tsquery(c, frequency, total) for c in matched) or None
        return _Plan(
            positive=positive_text,
            loose=loose if loose != positive_text else None,
            indexed=indexed if indexed != positive_text else None,
            every=" & ".join(row[3] for row in weighted) if len(weighted) > 1 else None,
            rarest=min(weighted, key=lambda row: row[2])[3] if len(weighted) > 1 else None,
            every_implies=any(row[0] == row[3] for row in weighted),
            head=loose,
            negative=" | ".join(negative) or None,
            weighted=[row[:2] for row in weighted],
            boosts=boosts,
            total=total,
            exact_frequencies=_exact_frequencies(items, total),
            average_length=average_length,
            estimate=total * (1 - missed) if weighted else total,
        )

    def _count_and_facets(self, matching, plan):
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
        ok_sql, ok_params, full, own_sql, own_params = matching.bits()
        where, params = matching.where(filters=False)
        facet_rows = (
            "SELECT 'f', e.value, count(*) FROM m, jsonb_array_elements_text(m.v) AS e(value) "  # noqa: S608
            f"WHERE (m.ok | {own_sql}) = {full} GROUP BY e.value"
        )
        if plan.estimate <= PROBABLY_SMALL * exact_up_to:
            sql = (
                f"WITH m AS MATERIALIZED (SELECT d.page_id, d.facet_values AS v, {ok_sql} AS ok "  # noqa: S608
                f"FROM {TABLE} d WHERE {where} LIMIT %s) "
                "SELECT 'n', NULL, count(*) FROM m "
                f"UNION ALL {_IDS.format(table='m', where=f'ok = {full}')} "
                f"UNION ALL {facet_rows}"
            )
            df_sql, df_params = plan.frequency_rows()
            # With a LIMIT in sight, PostgreSQL likes a sequential scan that tests the words
            # on each row, pricing that test as if it were free; it reads the row's TOASTed
            # vector (10 to 20 microseconds). "CCE" at 10,000 documents: 84 ms scanning,
            # 36 ms through the index.
            rows = _fetch(
                sql + df_sql,
                [*ok_params, *params, exact_up_to + 1, *own_params, *df_params],
                no_seqscan=True,
            )
            plan.use_frequencies(rows)
            if rows["n"] <= exact_up_to:
                return _Counted(len(rows["ids"]), rows["facets"], exact=True, ids=rows["ids"])
        # Big: a sample of about sample_size matches, and the count bounded.
        estimate = max(plan.estimate, exact_up_to + 1.0)
        buckets = _indexed(math.ceil(SAMPLE_BUCKETS * sample_size / estimate))
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
        few = (
            f"(SELECT count(*) FROM m WHERE ok = {full}) * coalesce((SELECT count(*) FROM m "  # noqa: S608
            "WHERE exact)::float8 / nullif((SELECT count(exact) FROM m), 0), 1) <= %s"
        )
        sql = (
            f"WITH m AS MATERIALIZED (SELECT d.facet_values AS v, {ok_sql} AS ok, "  # noqa: S608
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
        # Counted exactly when the sample says at most exact_up_to filtered documents match.
        # (Up to twice that, until issue 3's third pass: each count rebuilt the whole index's
        # bitmap of a common word, 10 to 25 ms, to say "1,343" rather than "about 1,300".)
        gate = exact_up_to * buckets // SAMPLE_BUCKETS
        params = [
            *ok_params,
            *([plan.every] if plan.every else []),
            *([plan.head] if plan.head else []),
            *exact_params,
            buckets,
            *params,
            gate,
            *filtered_params,
            gate,
            *own_params,
        ]
        df_sql, df_params = plan.frequency_rows()  # none if counted above
        rows = _fetch(sql + df_sql, [*params, *df_params])
        plan.use_frequencies(rows)
        scale = SAMPLE_BUCKETS / buckets
        if rows["checked"]:
            scale *= rows["exact"] / rows["checked"]
        facets = {
            name: {value: _about(n * scale) for value, n in values.items()}
            for name, values in rows["facets"].items()
        }
        exact = bool(rows["counted"])
        return _Counted(
            len(rows["ids"]) if exact else _about(rows["m"] * scale),
            facets,
            exact=exact,
            ids=rows["ids"] if exact else None,
            facets_approximate=True,
            estimates={key: rows[key] * scale for key in ("m", "every", "head")},
        )

    def _ranked(self, matching, plan, counted, request):
        """[(page_id, score)] of the requested page, by relevance.

        The full score (_rank_sql: ts_rank per clause over the whole TOASTed vector) costs
        tens of microseconds a row, so it is computed for at most SEARCH_RANK_CANDIDATES
        documents. With more matches than that, the candidates are the best by a cheap
        first pass: ts_rank over head_vector (title and summary, stored in the row). With
        more matches than can be counted exactly, even the first pass reads a bounded
        number of rows: documents with every clause in their title or summary first, then
        any clause there, then the rest, each tier read in full when the sample says it is
        small and else through the same page_id sample as the facets. Results within a
        corpus of up to SEARCH_RANK_CANDIDATES matches are exactly as before."""
        candidates_wanted = max(
            getattr(settings, "SEARCH_RANK_CANDIDATES", RANK_CANDIDATES),
            request.offset + request.limit,
        )
        if counted.ids is not None:
            # The matches are known: no need to match the words again.
            filtered, params = "d.page_id = ANY(%s)", [counted.ids]
        else:
            filtered, params = matching.where(filters=True)
        cheap = f"coalesce(ts_rank({_RANK_WEIGHTS}, d.head_vector, to_tsquery('english', %s)), 0)"
        check, check_params = "", []  # the candidates are known to match
        if counted.ids is not None and len(counted.ids) <= candidates_wanted:
            candidates = "SELECT unnest(%s::int[]) AS page_id"
            candidate_params = [counted.ids]
        elif counted.ids is not None or not counted.estimates:
            candidates = (
                f"SELECT d.page_id FROM {TABLE} d WHERE {filtered} "  # noqa: S608
                f"ORDER BY {cheap} DESC, d.published_date DESC, d.page_id DESC LIMIT %s"
            )
            candidate_params = [*params, plan.head, candidates_wanted]
        else:
            tiers, candidate_params = [], []
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
                buckets = _buckets_for(candidates_wanted - found, estimate - found)
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
                candidate_params += [
                    *([plan.head] if condition else []),
                    buckets,
                    *indexed,
                    *([condition] if condition else []),
                    *row_params,
                    # A wrong estimate costs at most this many rows.
                    TIER_ROWS * candidates_wanted,
                ]
                found = max(found, estimate)
                if found >= candidates_wanted:
                    break
            candidates = (
                "SELECT page_id FROM (" + " UNION ALL ".join(tiers) + ") AS tiers "  # noqa: S608
                "GROUP BY page_id, published_date "
                "ORDER BY max(tier) DESC, max(cheap) DESC, published_date DESC, page_id DESC "
                "LIMIT %s"
            )
            candidate_params.append(candidates_wanted)
            check = "WHERE r.v @@ to_tsquery('english', %s) "
            check_params = [plan.positive]
            if plan.negative:
                check += "AND NOT r.v @@ to_tsquery('english', %s) "
                check_params.append(plan.negative)
        rank = _rank_sql(plan.weighted, plan.boosts, plan.average_length, vector="r.v")
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
            _execute(
                cursor,
                sql,
                [*candidate_params, *rank.params, *check_params, request.limit, request.offset],
            )
            return [(pk, float(score)) for pk, score in cursor.fetchall()]

    def _ordered(self, matching, request):
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
            _execute(cursor, sql, [*params, request.limit, request.offset])
            return cursor.fetchall()

    def _match_portable(self, visible, query):
        """{page_id: score} of the visible documents matching the query, scored in Python."""
        words = {_stem(w) for c in query.positive for alt in c.alternatives for w in alt}
        candidates = visible
        if words:
            condition = Q()
            for word in words:
                for name in FIELD_WEIGHTS:
                    condition |= Q(**{f"{name}__icontains": word})
            candidates = candidates.filter(condition)
        rows = list(candidates.values_list("pk", *FIELD_WEIGHTS))
        tokenised = {
            row[0]: {
                name: [_stem(w) for w in words_of(text)]
                for name, text in zip(FIELD_WEIGHTS, row[1:], strict=True)
            }
            for row in rows
        }
        excluded = {
            pk
            for pk, fields in tokenised.items()
            for clause in query.negative
            if any(_occurrences(tokens, clause) for tokens in fields.values())
        }
        total = SearchDocument.objects.count()
        frequencies = [(clause, Counter()) for clause in query.positive]
        for pk, fields in tokenised.items():
            if pk in excluded:
                continue
            for clause, per_doc in frequencies:
                weighted = sum(
                    FIELD_WEIGHTS[name] * _occurrences(tokens, clause)
                    for name, tokens in fields.items()
                )
                if weighted:
                    # Saturated as on PostgreSQL (k1), without the length normalisation.
                    per_doc[pk] = weighted * (K1 + 1) / (weighted + K1)
        scores, matched = {}, Counter()
        for _clause, per_doc in frequencies:
            weight = idf(total, len(per_doc))
            for pk, tf in per_doc.items():
                scores[pk] = scores.get(pk, 0.0) + weight * tf
                matched[pk] += 1
        # The same coordination as on PostgreSQL: matching more of the query ranks higher.
        for pk in scores:
            share = matched[pk] / len(frequencies)
            scores[pk] *= COORDINATION_FLOOR + (1 - COORDINATION_FLOOR) * share
        # Typed words found together, as typed, add the same bonus as on PostgreSQL.
        for first, second, distance, prefix in adjacent_words(query):
            together = [
                pk
                for pk in scores
                if any(
                    _at_distance(tokens, first, second, distance, prefix)
                    for tokens in tokenised[pk].values()
                )
            ]
            for pk in together:
                scores[pk] += PHRASE_BOOST * idf(total, len(together))
        if not query.positive:
            scores = {pk: 0.0 for pk in tokenised if pk not in excluded}
        return scores

    def _hits(self, documents, query, scores, positive_tsquery):
        # Highlights computed with the rows (_search_postgres), else here.
        highlights = {doc.pk: doc.highlight for doc in documents if hasattr(doc, "highlight")}
        if not highlights and documents and positive_tsquery:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT page_id, ts_headline('english', summary || E'\\n' || body, "  # noqa: S608
                    f"to_tsquery('english', %s), %s) FROM {TABLE} WHERE page_id = ANY(%s)",
                    [positive_tsquery, HEADLINE_OPTIONS, [d.pk for d in documents]],
                )
                highlights = dict(cursor.fetchall())
        elif not highlights and documents and query.positive:
            for doc in documents:
                highlights[doc.pk] = _portable_highlight(doc.summary + "\n" + doc.body, query)
        return [
            Hit(
                page_id=doc.pk,
                external_id=doc.external_id,
                title=doc.title,
                url=doc.url,
                summary=doc.summary,
                force=doc.force,
                published_date=doc.published_date,
                highlight=highlights.get(doc.pk, "")
                if MARK_START in highlights.get(doc.pk, "")
                else "",
                score=float(getattr(doc, "rank", None) or (scores or {}).get(doc.pk, 0.0)),
            )
            for doc in documents
        ]

    # Suggestions, corrections, related practice

    def suggest(self, prefix, restrictions, limit):
        """Titles with a word starting with each typed word, the most like the typed text
        first. On PostgreSQL: among the newest SEARCH_SUGGEST_CANDIDATES such titles, found by
        reading titles newest first when the words are common, through the trigram index when
        they are rare (PostgreSQL picks; search.service.suggest asks only once a word has
        three letters, so that there is a trigram to look up)."""
        words = [w for w in words_of(prefix) if w][:8]
        if not words:
            return []
        if not self.full_text:
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
            _execute(cursor, sql, [*params, " ".join(words), limit])
            return [{"title": title, "url": url} for title, url in cursor.fetchall()]

    def related(self, page_id, restrictions, limit):
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
        if self.full_text:
            ids = self._related_ids(page_id, restrictions, limit, own)
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
        return self._hits([documents[pk] for pk in ids if pk in documents], _EMPTY, None, None)

    def _related_ids(self, page_id, restrictions, limit, own):
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
            _execute(cursor, sql, [list(restrictions), page_id, values, candidates, values, limit])
            return [pk for (pk,) in cursor.fetchall()]

    def corrections(self, words, restrictions):
        """Checked one word at a time: a query has a handful of words, and most are known."""
        return vocabulary.corrections(words, restrictions, trigrams=self.full_text)


CORPUS_STATISTICS_KEY = "search:corpus-statistics:v1"
# Dropped whenever documents are indexed or deleted; the timeout bounds what a bulk load that
# bypasses upsert (or a missed invalidation) leaves behind.
CORPUS_STATISTICS_SECONDS = 5 * 60


def _corpus_statistics():
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


class _Empty:
    positive = []
    clauses = []


_EMPTY = _Empty()
_WORD_SPAN = re.compile(r"[^\W_]+")


def _occurrences(tokens, clause):
    """How often any of the clause's alternatives occurs in a stemmed token list: quoted
    phrases word for word, other phrases with their words near each other (as on PostgreSQL)."""
    n = 0
    for i, alternative in enumerate(clause.alternatives):
        prefix = clause.prefix and i == 0
        if clause.quoted or len(alternative) == 1:
            n += _adjacent(tokens, alternative, prefix)
        else:
            n += _near(tokens, _content_words(alternative), prefix)
    return n


def _matches(token, word, prefix):
    return token == _stem(word) or (prefix and token.startswith(word))


def _adjacent(tokens, alternative, prefix):
    stems = [_stem(w) for w in alternative]
    size, n = len(stems), 0
    for start in range(len(tokens) - size + 1):
        window = tokens[start : start + size]
        if window[:-1] == stems[:-1] and _matches(window[-1], alternative[-1], prefix):
            n += 1
    return n


def _at_distance(tokens, first, second, distance, prefix):
    """Whether `second` follows `first` exactly `distance` tokens later (stop words keep their
    places, as in PostgreSQL's vectors)."""
    stem = _stem(first)
    return any(
        token == stem and _matches(tokens[i + distance], second, prefix)
        for i, token in enumerate(tokens[:-distance])
    )


def _near(tokens, words, prefix):
    """Occurrences of the first word from which each next word is found within NEAR tokens
    (either side) of the one before."""
    last = len(words) - 1
    positions = [
        [j for j, token in enumerate(tokens) if _matches(token, word, prefix and k == last)]
        for k, word in enumerate(words)
    ]
    n = 0
    for start in positions[0]:
        current = start
        for found in positions[1:]:
            close = [j for j in found if 0 < abs(j - current) <= NEAR]
            if not close:
                break
            current = close[0]
        else:
            n += 1
    return n


def _portable_highlight(text, query):
    """A window of the text around the first matched word, matched words marked."""
    wanted = {_stem(w) for c in query.positive for alt in c.alternatives for w in alt}
    prefixes = [c.words[-1] for c in query.positive if c.prefix]
    spans = list(_WORD_SPAN.finditer(text))

    def matches(span):
        word = span.group().lower()
        return _stem(word) in wanted or any(word.startswith(p) for p in prefixes)

    first = next((i for i, span in enumerate(spans) if matches(span)), None)
    if first is None:
        return ""
    start = max(0, first - 8)
    window = spans[start : start + HIGHLIGHT_WORDS]
    out, position = [], window[0].start()
    for span in window:
        out.append(text[position : span.start()])
        out.append(f"{MARK_START}{span.group()}{MARK_END}" if matches(span) else span.group())
        position = span.end()
    return (
        ("… " if start else "")
        + "".join(out).strip()
        + (" …" if start + HIGHLIGHT_WORDS < len(spans) else "")
    )


def _exact_frequencies(items, total):
    """[(index in items, SQL, params)]: a bounded count of the documents matching each item
    (tsquery text, loose tsquery text, upper bound on its documents) that matches few.

    The per-lexeme estimate (_clause_frequency) calls a phrase as common as its rarest word
    and combines alternatives as independent; BM25 wants the real number, and on a small
    index the difference costs ranking quality (nDCG@10 0.787 against 0.795 on the judged
    set). Counting is an index scan over the matches, so only items whose matches are
    bounded by SEARCH_EXACT_FREQUENCY_UP_TO are counted; common ones, where counting costs
    most and the estimate is relatively closest, keep the estimate. The counts ride along
    with the count-and-facets statement (no round trip of their own): only the ranking,
    which comes after it, needs them."""
    up_to = getattr(settings, "SEARCH_EXACT_FREQUENCY_UP_TO", EXACT_FREQUENCY_UP_TO)
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
        # _Matching.where. That check reads each row's full vector (de-TOASTed, about 20
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
        parts.append((i, sql, [loose, *([text] if check else []), up_to + 1]))
    return parts


@dataclass
class _Plan:
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
    # index answers for `every`, whose own row estimate is far too low (see _ranked).
    rarest: str | None
    negative: str | None
    # Whether a document with every clause in its head vector matches the query (some
    # clause needs no proximity check).
    every_implies: bool
    weighted: list  # (tsquery text, idf) per ranked clause
    boosts: list  # (tsquery text, weight) per adjacent pair
    average_length: float
    estimate: float  # documents expected to match, from document frequencies
    total: int
    # Counts of exact document frequencies, answered with the count (see _exact_frequencies).
    exact_frequencies: list = field(default_factory=list)

    def frequency_rows(self):
        """UNION ALL rows of _fetch's shape ('df<i>', NULL, documents) for the clauses
        (then the phrases) whose exact document frequency is to be counted."""
        sql = "".join(
            f" UNION ALL SELECT 'df{i}', NULL, {part}" for i, part, _ in self.exact_frequencies
        )
        return sql, [param for _, _, params in self.exact_frequencies for param in params]

    def use_frequencies(self, rows):
        """The IDF of each counted clause and phrase from its exact document frequency
        (a prefix can match more documents than counted: then the estimate stays)."""
        up_to = getattr(settings, "SEARCH_EXACT_FREQUENCY_UP_TO", EXACT_FREQUENCY_UP_TO)
        for i, _, _ in self.exact_frequencies:
            n = rows.get(f"df{i}")
            if n is None or n > up_to:
                continue
            if i < len(self.weighted):
                self.weighted[i] = (self.weighted[i][0], idf(self.total, n))
            else:
                j = i - len(self.weighted)
                self.boosts[j] = (self.boosts[j][0], PHRASE_BOOST * idf(self.total, n))
        self.exact_frequencies = []


class _Matching:
    """The WHERE clauses of a search over the documents table (aliased d): who may see a
    document, the words, and the filters (values of one facet ORed, facets ANDed), each
    answered by an index (GIN on the vectors and on facet_values as an array)."""

    def __init__(self, restrictions, plan, filters):
        self.plan = plan
        self.filters = [
            (name, [f"{name}={value}" for value in values]) for name, values in filters.items()
        ]
        self.restrictions = list(restrictions)

    def where(self, filters, words=True, rest=True, exact=True):
        """SQL and parameters: `rest` is who may see a document and (with `filters`) the
        ticked facets, all read from the row; `words` the conditions on the TOASTed full
        vector, without the proximity check unless `exact`."""
        conditions, params = [], []
        if rest:
            conditions.append("d.restriction = ANY(%s::text[])")
            params.append(self.restrictions)
            if filters:
                for _, values in self.filters:
                    # Indexed as an array (migration 0007): answered exactly by the index,
                    # where jsonb's ?| made PostgreSQL re-check (de-TOAST) every row.
                    conditions.append("search_facet_array(d.facet_values) && %s::text[]")
                    params.append(values)
        if words and self.plan.indexed:
            # The index answers the loose query; the exact one (proximity) is checked on the
            # rows it finds, written so that the planner cannot pick it for the index.
            conditions.append("d.search_vector @@ to_tsquery('english', %s)")
            params.append(self.plan.indexed)
            if exact:
                conditions.append("coalesce(d.search_vector @@ to_tsquery('english', %s), false)")
                params.append(self.plan.positive)
        elif words and self.plan.positive:
            conditions.append("d.search_vector @@ to_tsquery('english', %s)")
            params.append(self.plan.positive)
        if words and self.plan.negative:
            conditions.append("NOT coalesce(d.search_vector @@ to_tsquery('english', %s), false)")
            params.append(self.plan.negative)
        return " AND ".join(conditions) or "true", params

    def bits(self):
        """A bit per ticked facet a document satisfies (SQL over d), the value with every bit,
        and each facet value's own bit (SQL over e.value): a document counts in the total
        with every bit, and for a value of facet X with every bit but X's."""
        satisfied, params, own, own_params = [], [], [], []
        for bit, (name, values) in enumerate(self.filters):
            satisfied.append(f"CASE WHEN d.facet_values ?| %s::text[] THEN {1 << bit} ELSE 0 END")
            params.append(values)
            own.append(f"WHEN %s THEN {1 << bit}")
            own_params.append(name)
        ok = f"({' + '.join(satisfied)})" if satisfied else "0"
        own_sql = f"CASE split_part(e.value, '=', 1) {' '.join(own)} ELSE 0 END" if own else "0"
        return ok, params, (1 << len(self.filters)) - 1, own_sql, own_params


@dataclass
class _Counted:
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


# The matching ids of a small match set as one row of _fetch's shape.
_IDS = "SELECT 'ids', string_agg(page_id::text, ','), count(*) FROM {table} WHERE {where}"


def _fetch(sql, params, no_seqscan=False):
    """Rows of (kind, facet=value, n) as {kind: n, "facets": {facet: {value: n}}}, from a
    statement run by _execute."""
    from ..facets import FACET_NAMES

    result = {"facets": {name: {} for name in FACET_NAMES}}
    with connection.cursor() as cursor:
        _execute(cursor, sql, params, no_seqscan=no_seqscan)
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


def _execute(cursor, sql, params, no_seqscan=False):
    """Run one of the search's statements (constants and %s placeholders only) without
    parallel workers, and with `no_seqscan` without sequential scans: SET LOCAL in the same
    round trip, then back to the defaults, in case a transaction is open.

    Starting two workers takes PostgreSQL 5 to 10 ms, which it weighs against scanning
    thousands of rows, not against a statement that, by design, reads a bounded few; it
    started them even for the exact count that a false condition skips (at 100,000
    documents, "missing children" in one audience: 22 ms with them, 13 ms without). On a
    busy server the workers would also take the cores other searches need."""
    settings_sql = "SET LOCAL max_parallel_workers_per_gather = 0"
    reset_sql = "SET LOCAL max_parallel_workers_per_gather = DEFAULT"
    if no_seqscan:
        settings_sql += "; SET LOCAL enable_seqscan = off"
        reset_sql += "; SET LOCAL enable_seqscan = DEFAULT"
    # Several statements in one string: the client-side binding Django's psycopg backend
    # uses sends them as one simple query, an implicit transaction. The results of the SETs
    # come first: skip to the statement's.
    cursor.execute(f"{settings_sql}; {sql}; {reset_sql}", params)
    for _ in range(settings_sql.count(";") + 1):
        cursor.nextset()


def _about(n):
    """An estimate to two significant figures: "about 12,000", not "about 12,345"."""
    return max(1, int(float(f"{n:.2g}"))) if n else 0


def _buckets_for(wanted, estimate):
    """How many sample buckets give about 1.5 times `wanted` rows of a set of about
    `estimate` rows (all of them when it is small)."""
    if estimate <= 1.5 * wanted:
        return SAMPLE_BUCKETS
    return _indexed(math.ceil(SAMPLE_BUCKETS * 1.5 * wanted / estimate))


def _indexed(buckets):
    """The number of sample buckets to read for `buckets` wanted: at most the indexed ones
    when that keeps at least half the rows wanted (a smaller sample read through the small
    indexes costs less than a larger one through the whole index's bitmaps)."""
    if buckets <= 2 * SAMPLE_INDEXED_BUCKETS:
        return max(1, min(buckets, SAMPLE_INDEXED_BUCKETS))
    return min(buckets, SAMPLE_BUCKETS)
