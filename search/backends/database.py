"""The database backend: PostgreSQL full-text search, or a simple equivalent on SQLite.

On PostgreSQL each document has a weighted tsvector (title A, summary and tags B, body C) with
a GIN index. Clauses are ORed for recall and ranked BM25-style: each clause's ts_rank is
saturated (k1) and length-normalised (b), weighted by its inverse document frequency, which
plain ts_rank lacks (so "the missing MASH" is about MASH, not "missing"); the sum is scaled by
the share of clauses matched, and typed words found together as a phrase add a bonus. Document
frequencies come from SearchLexeme, kept in step on upsert and delete, not from counting
matches. The count and all facet counts come from one statement over the materialised match
set. Typo correction uses pg_trgm on the vocabulary; highlights come from ts_headline,
computed for the returned page only.

The portable mode (SQLite, the embedded default) keeps the same tables and facets and matches
words with LIKE, then scores the candidates in Python with the same IDF weighting. It is meant
for the demo's few hundred pages, not for a production corpus.
"""

import difflib
import math
import re
from collections import Counter

from django.contrib.postgres.search import (
    SearchQuery,
    SearchVector,
    TrigramSimilarity,
)
from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from ..models import (
    PageViewCount,
    Restriction,
    SearchDocument,
    SearchFacet,
    SearchLexeme,
    SearchWord,
)
from ..query import words_of
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
# ts_rank's weights for D, C, B, A: body 0.2, summary and tags 0.4, title 1.
RANK_WEIGHTS = [0.1, 0.2, 0.4, 1.0]
FIELD_WEIGHTS = {"title": 1.0, "summary": 0.4, "keywords": 0.4, "body": 0.2}
HEADLINE_OPTIONS = (
    f'StartSel="{MARK_START}", StopSel="{MARK_END}", MaxWords=35, MinWords=15, '
    'MaxFragments=2, FragmentDelimiter=" … "'
)
# Vocabulary words shorter than this are never corrected or suggested.
MIN_CORRECTABLE = 4
MIN_VOCABULARY_WORD = 3
HIGHLIGHT_WORDS = 35


def _stem(word):
    """A crude English stemmer for the portable mode (PostgreSQL uses Snowball)."""
    for suffix in ("ings", "ing", "ies", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


# PostgreSQL's English stop words (tsearch_data/english.stop): to_tsquery drops them, so
# proximity between the words of a phrase is counted between the words that remain.
STOP_WORDS = frozenset(
    "i me my myself we our ours ourselves you your yours yourself yourselves he him his "
    "himself she her hers herself it its itself they them their theirs themselves what which "
    "who whom this that these those am is are was were be been being have has had having do "
    "does did doing a an the and but if or because as until while of at by for with about "
    "against between into through during before after above below to from up down in out on "
    "off over under again further then once here there when where why how all any both each "
    "few more most other some such no nor not only own same so than too very s t can will "
    "just don should now".split()
)
# Words of an unquoted phrase match "near each other": the next word within this many
# positions, either way round. A glossary phrase ("died unexpectedly") then finds the way a
# page words it ("died suddenly and unexpectedly"), where strict adjacency found nothing.
NEAR = 4


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


def _tsquery(text):
    """to_tsquery('english', text): text built by clause_tsquery, never the user's raw input."""
    return SearchQuery(text, search_type="raw", config="english")


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


def _rank_sql(weighted, boosts, average_length):
    """The relevance score of a row as RawSQL: `weighted` and `boosts` are (tsquery text,
    weight) pairs for the clauses and the adjacent-word phrases.

    Each clause's ts_rank is computed once, in a VALUES list the saturation, the sum and the
    coordination read (written inline, each use would rank, and de-TOAST the vector, again:
    a 24-clause query cost three times as much)."""
    weights = "'{" + ",".join(str(w) for w in RANK_WEIGHTS) + "}'::float4[]"
    rows, params = [], []
    for text, weight in weighted:
        rows.append(
            f"({weight:.6f}::float8, ts_rank({weights}, {VECTOR}, to_tsquery('english', %s), 0)"
            f" / {TITLE_OCCURRENCE})"
        )
        params.append(text)
    clauses = (
        f"(SELECT sum(c.w * c.r * {K1 + 1} / (c.r + {K1} * d.norm))"  # noqa: S608 - constants
        f" * ({COORDINATION_FLOOR} + {1 - COORDINATION_FLOOR}"
        f" * count(*) FILTER (WHERE c.r > 0) / {len(weighted)}.0)"
        f" FROM (VALUES {', '.join(rows)}) AS c (w, r),"
        f" (SELECT {1 - B} + {B} * length({VECTOR}) / {average_length:.6f} AS norm) AS d)"
    )
    terms = [clauses]
    for text, weight in boosts:
        # ts_rank ignores the distance operators (it ranks the lexemes), so the phrase bonus
        # is a match test: all or nothing.
        terms.append(f"{weight:.6f} * ({VECTOR} @@ to_tsquery('english', %s))::int")
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


def _adjacent_words(query):
    """Typed words next to each other in the query, stop words aside ("voice of the child"):
    (word, word, distance, prefix). Pages with them as that phrase rank above pages with the
    words apart."""
    pairs, previous = [], None
    for position, clause in enumerate(query.clauses):
        if clause.negated or clause.quoted or len(clause.words) != 1:
            previous = None
            continue
        word = clause.words[0]
        if word in STOP_WORDS:
            continue
        if previous is not None:
            pairs.append((previous[1], word, position - previous[0], clause.prefix))
        previous = (position, word)
    return pairs


def _phrase_tsquery(pair):
    first, second, distance, prefix = pair
    return f"{first} <{distance}> {second}" + (":*" if prefix else "")


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
                    + SearchVector("body", weight="C", config="english")
                )
                with connection.cursor() as cursor:
                    cursor.execute(_ADD_LEXEMES, [ids])
            words = set()
            for doc in documents:
                if doc.restriction == Restriction.PUBLIC:
                    text = " ".join([doc.title, doc.summary, doc.keywords, doc.body])
                    words.update(
                        w for w in words_of(text) if len(w) >= MIN_VOCABULARY_WORD and w.isalpha()
                    )
            SearchWord.objects.bulk_create(
                (SearchWord(word=w) for w in sorted(words)), ignore_conflicts=True
            )

    def delete(self, page_ids):
        ids = list(page_ids)
        with transaction.atomic():
            if self.postgres:
                with connection.cursor() as cursor:
                    cursor.execute(_SUBTRACT_LEXEMES, [ids])
            SearchDocument.objects.filter(page_id__in=ids).delete()

    def clear(self):
        with transaction.atomic():
            SearchDocument.objects.all().delete()
            SearchLexeme.objects.all().delete()

    def refresh_statistics(self):
        """Recount the document frequencies from the stored vectors, after rows were written
        without upsert (a bulk load). PostgreSQL only."""
        if not self.postgres:
            return
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {LEXEMES}")  # noqa: S608 - constant
            cursor.execute(
                f"INSERT INTO {LEXEMES} (lexeme, documents) SELECT word, ndoc FROM "  # noqa: S608
                f"ts_stat('SELECT search_vector FROM {TABLE} WHERE search_vector IS NOT NULL') "
                "WHERE length(word) <= 255"
            )

    # Searching

    def search(self, request):
        visible = SearchDocument.objects.filter(restriction__in=request.restrictions)
        query = request.query
        scores = None
        rank = None
        positive_tsquery = None
        if query.clauses:
            if self.full_text:
                visible, rank, positive_tsquery = self._match_postgres(visible, query)
            else:
                scores = self._match_portable(visible, query)
                visible = visible.filter(pk__in=list(scores))
        results = self._filtered(visible, request.filters)
        if self.postgres:
            count, facet_counts = self._count_and_facets(visible, request.filters)
        else:
            count = results.count()
            facet_counts = self._facet_counts(visible, request.filters)

        relevance = request.sort == "relevance" and query.positive
        if relevance and rank is not None:
            ordered = results.annotate(rank=rank).order_by("-rank", "-published_date", "-pk")
        elif relevance and scores is not None:
            ids = list(results.values_list("pk", "published_date"))
            ids.sort(key=lambda row: (-scores[row[0]], -row[1].toordinal(), -row[0]))
            window = [pk for pk, _ in ids[request.offset : request.offset + request.limit]]
            by_id = SearchDocument.objects.in_bulk(window)
            page = [by_id[pk] for pk in window]
            return BackendResult(count, self._hits(page, query, scores, None), facet_counts)
        elif request.sort == "most-viewed":
            views = PageViewCount.objects.filter(page_id=OuterRef("pk")).values("views")
            ordered = results.annotate(views=Coalesce(Subquery(views), 0)).order_by(
                "-views", "-published_date", "-pk"
            )
        else:
            ordered = results.order_by("-published_date", "-pk")
        page = list(ordered[request.offset : request.offset + request.limit])
        return BackendResult(
            count, self._hits(page, query, scores, positive_tsquery), facet_counts
        )

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

    def _count_and_facets(self, matches, filters):
        """The count and every facet's counts in one statement (PostgreSQL), matching the query
        once: the matching ids are materialised, their facet rows read once through the
        (document, facet, value) index, and each document gets a bit per ticked facet it
        satisfies. A document counts in the total when it has every bit, and counts for a
        value of facet X when it has every bit but X's, which is what _facet_counts does with
        one query (and one more full-text match) per ticked facet."""
        from ..facets import FACET_NAMES

        counts = {name: {} for name in FACET_NAMES}
        try:
            match_sql, match_params = matches.values("pk").query.sql_with_params()
        except EmptyResultSet:  # .none(), or pk__in=[]: nothing can match
            return 0, counts
        names = list(filters)
        satisfied, params = [], list(match_params)
        for bit, name in enumerate(names):
            satisfied.append(
                f"{1 << bit} * max(CASE WHEN t.facet = %s AND t.value = ANY(%s) THEN 1 ELSE 0 END)"
            )
            params += [name, list(filters[name])]
        full = (1 << len(names)) - 1
        own_bit = " ".join(f"WHEN %s THEN {1 << bit}" for bit in range(len(names)))
        own_bit = f"CASE t.facet {own_bit} ELSE 0 END" if names else "0"
        params += [*names, list(FACET_NAMES)]
        sql = (
            f"WITH matches (page_id) AS MATERIALIZED ({match_sql}), "  # noqa: S608 - see below
            "tagged AS MATERIALIZED (SELECT f.document_id, f.facet, f.value "
            f"FROM {SearchFacet._meta.db_table} f JOIN matches m ON m.page_id = f.document_id), "
            "passes AS MATERIALIZED (SELECT m.page_id, "
            f"({' + '.join(satisfied) or '0'})::int AS ok "
            "FROM matches m LEFT JOIN tagged t ON t.document_id = m.page_id GROUP BY m.page_id) "
            f"SELECT NULL, NULL, count(*) FROM passes WHERE ok = {full} "
            "UNION ALL "
            "SELECT t.facet, t.value, count(*) FROM tagged t "
            "JOIN passes p ON p.page_id = t.document_id "
            f"WHERE (p.ok | {own_bit}) = {full} AND t.facet = ANY(%s) "
            "GROUP BY t.facet, t.value"
        )
        total = 0
        with connection.cursor() as cursor:
            cursor.execute(sql, params)  # constants and %s placeholders only
            for facet, value, n in cursor.fetchall():
                if facet is None:
                    total = n
                else:
                    counts[facet][value] = n
        return total, counts

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

    def _match_postgres(self, visible, query):
        positive = [clause_tsquery(c) for c in query.positive]
        negative = [clause_tsquery(c) for c in query.negative]
        phrases = [_phrase_tsquery(pair) for pair in _adjacent_words(query)]
        # One round trip: the corpus size, the average number of lexemes per document (the
        # sum of the document frequencies over the corpus size), and per query word its
        # lexeme (none for a stop word) and document frequency, from SearchLexeme rather
        # than counting matches (a pass over every matching row per word).
        # Only constants and %s placeholders are formatted into SQL here.
        words = sorted({w for c in query.positive for alt in c.alternatives for w in alt})
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT (SELECT count(*) FROM {TABLE}), "  # noqa: S608
                f"(SELECT coalesce(sum(documents), 0) FROM {LEXEMES})",
            )
            total, lexemes = cursor.fetchone()
            cursor.execute(
                "SELECT q.word, count(t.lexeme), coalesce(max(l.documents), 0) "  # noqa: S608
                "FROM unnest(%s::text[]) AS q(word) "
                "LEFT JOIN LATERAL unnest(tsvector_to_array(to_tsvector('english', q.word))) "
                "AS t(lexeme) ON true "
                f"LEFT JOIN {LEXEMES} l ON l.lexeme = t.lexeme GROUP BY q.word",
                [words],
            )
            frequency = {word: (n, df) for word, n, df in cursor.fetchall()}
        average_length = lexemes / total if total and lexemes else 1.0
        weighted = []
        for clause, text in zip(query.positive, positive, strict=True):
            df = _clause_frequency(clause, frequency, total)
            if df is not None:
                weighted.append((text, idf(total, df)))
        boosts = []
        for pair, text in zip(_adjacent_words(query), phrases, strict=True):
            dfs = [frequency.get(w, (0, 0))[1] for w in pair[:2]]
            if min(dfs):
                # A phrase is at most as common as its rarer word.
                boosts.append((text, PHRASE_BOOST * idf(total, min(dfs))))
        positive_tsquery = " | ".join(text for text, _ in weighted) or None
        if negative:
            visible = visible.exclude(search_vector=_tsquery(" | ".join(negative)))
        if query.positive:
            if not positive_tsquery:
                # Only stop words ("the", "and"): nothing can match them.
                return visible.none(), None, None
            visible = visible.filter(search_vector=_tsquery(positive_tsquery))
        if not weighted:
            return visible, None, None
        return visible, _rank_sql(weighted, boosts, average_length), positive_tsquery

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
        if not query.positive:
            scores = {pk: 0.0 for pk in tokenised if pk not in excluded}
        return scores

    def _hits(self, documents, query, scores, positive_tsquery):
        highlights = {}
        if documents and positive_tsquery:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT page_id, ts_headline('english', summary || E'\\n' || body, "  # noqa: S608
                    f"to_tsquery('english', %s), %s) FROM {TABLE} WHERE page_id = ANY(%s)",
                    [positive_tsquery, HEADLINE_OPTIONS, [d.pk for d in documents]],
                )
                highlights = dict(cursor.fetchall())
        elif documents and query.positive:
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
        words = [w for w in words_of(prefix) if w][:8]
        if not words:
            return []
        titles = SearchDocument.objects.filter(restriction__in=restrictions)
        for word in words:
            titles = titles.filter(title__icontains=word)
        if self.full_text:
            titles = titles.annotate(similarity=TrigramSimilarity("title", prefix)).order_by(
                "-similarity", "-published_date"
            )
        else:
            titles = titles.order_by("-published_date")
        return [{"title": t, "url": u} for t, u in titles.values_list("title", "url")[:limit]]

    def related(self, page_id, restrictions, limit):
        own = list(
            SearchFacet.objects.filter(
                document_id=page_id, facet__in=["criterion", "theme", "audience"]
            ).values_list("facet", "value")
        )
        if not own:
            return []
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
        return self._hits([documents[pk] for pk in ids], _EMPTY, None, None)

    def corrections(self, words):
        """Checked one word at a time: a query has a handful of words, and most are known."""
        candidates = [w for w in dict.fromkeys(words) if len(w) >= MIN_CORRECTABLE and w.isalpha()]
        if not candidates:
            return {}
        corrected = {}
        for word in candidates:
            # A word that begins a known word is fine: it may be unfinished (as-you-type).
            if SearchWord.objects.filter(word__startswith=word).exists():
                continue
            if self.full_text:
                best = (
                    SearchWord.objects.filter(word__trigram_similar=word)
                    .annotate(similarity=TrigramSimilarity("word", word))
                    .order_by("-similarity", "word")
                    .values_list("word", flat=True)
                    .first()
                )
            else:
                vocabulary = SearchWord.objects.filter(word__startswith=word[0]).values_list(
                    "word", flat=True
                )
                close = difflib.get_close_matches(word, list(vocabulary), n=1, cutoff=0.75)
                best = close[0] if close else None
            if best:
                corrected[word] = best
        return corrected


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
