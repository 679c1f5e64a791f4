"""The database backend: PostgreSQL full-text search, or a simple equivalent on SQLite.

On PostgreSQL each document has a weighted tsvector (title A, summary and tags B, body C) with
a GIN index. Clauses are ORed for recall and ranked BM25-style: each clause's ts_rank is
weighted by its inverse document frequency, which plain ts_rank lacks (so "the missing MASH"
is about MASH, not "missing"). Typo correction uses pg_trgm on the vocabulary; highlights come
from ts_headline, computed for the returned page only.

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
    SearchRank,
    SearchVector,
    TrigramSimilarity,
)
from django.db import connection, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from ..models import PageViewCount, Restriction, SearchDocument, SearchFacet, SearchWord
from ..query import words_of
from .base import MARK_END, MARK_START, BackendResult, Hit, SearchBackend

TABLE = SearchDocument._meta.db_table
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


def _tsquery_alternative(words, prefix):
    parts = list(words)
    if prefix:
        parts[-1] += ":*"
    return " <-> ".join(parts)


def clause_tsquery(clause):
    """A clause as to_tsquery text. Words are [^\\W_]+ only (see search.query), so the text
    can hold no operator the user typed."""
    alternatives = [
        _tsquery_alternative(alt, clause.prefix and i == 0)
        for i, alt in enumerate(clause.alternatives)
    ]
    return "(" + " | ".join(alternatives) + ")"


def _tsquery(text):
    """to_tsquery('english', text): text built by clause_tsquery, never the user's raw input."""
    return SearchQuery(text, search_type="raw", config="english")


def idf(total, df):
    return math.log(1 + (total - df + 0.5) / (df + 0.5))


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
                SearchDocument.objects.filter(page_id__in=ids).update(
                    search_vector=SearchVector("title", weight="A", config="english")
                    + SearchVector("summary", "keywords", weight="B", config="english")
                    + SearchVector("body", weight="C", config="english")
                )
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
        SearchDocument.objects.filter(page_id__in=list(page_ids)).delete()

    def clear(self):
        SearchDocument.objects.all().delete()

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
        # One round trip: the corpus size, and per clause whether it has any lexeme left after
        # stop words (to_tsquery drops them) and how many documents it matches (for IDF).
        # Only constants and %s placeholders are formatted into SQL here and below.
        selects = [f"(SELECT count(*) FROM {TABLE})"]  # noqa: S608
        params = []
        for text in positive:
            selects.append("numnode(to_tsquery('english', %s))")
            selects.append(
                f"(SELECT count(*) FROM {TABLE} WHERE search_vector @@ to_tsquery('english', %s))"  # noqa: S608
            )
            params += [text, text]
        with connection.cursor() as cursor:
            cursor.execute("SELECT " + ", ".join(selects), params)
            row = cursor.fetchone()
        total = row[0]
        weighted = []
        for i, text in enumerate(positive):
            nodes, df = row[1 + 2 * i], row[2 + 2 * i]
            if nodes:
                weighted.append((text, idf(total, df)))
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
        rank = sum(
            (
                Value(weight)
                * SearchRank(
                    F("search_vector"), _tsquery(text), weights=RANK_WEIGHTS, normalization=1
                )
                for text, weight in weighted
            ),
            start=Value(0.0),
        )
        return visible, rank, positive_tsquery

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
                for name, tokens in fields.items():
                    n = _occurrences(tokens, clause)
                    if n:
                        per_doc[pk] += FIELD_WEIGHTS[name] * (1 + math.log(n))
        scores = {}
        for _clause, per_doc in frequencies:
            weight = idf(total, len(per_doc))
            for pk, tf in per_doc.items():
                scores[pk] = scores.get(pk, 0.0) + weight * tf
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
    """How often any of the clause's alternatives occurs in a stemmed token list."""
    n = 0
    for i, alternative in enumerate(clause.alternatives):
        stems = [_stem(w) for w in alternative]
        prefix = clause.prefix and i == 0
        size = len(stems)
        for start in range(len(tokens) - size + 1):
            window = tokens[start : start + size]
            if window[:-1] != stems[:-1]:
                continue
            last, wanted = window[-1], stems[-1]
            if last == wanted or (prefix and last.startswith(alternative[-1])):
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
