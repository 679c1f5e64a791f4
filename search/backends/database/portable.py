"""The portable mode of the database backend (SQLite, the embedded default): the same tables
and facets as on PostgreSQL, words matched with LIKE, and the candidates scored in Python with
the same formula (ranking.score). Meant for the demo's few hundred pages, not for a production
corpus."""

import re
from collections import Counter

from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from ...models import PageViewCount, SearchDocument, SearchFacet
from ...query import NEAR, adjacent_words, content_words, words_of
from ..base import MARK_END, MARK_START, BackendResult
from . import ranking
from .hits import to_hits

HIGHLIGHT_WORDS = 35
_WORD_SPAN = re.compile(r"[^\W_]+")


def search(request):
    visible = SearchDocument.objects.filter(restriction__in=request.restrictions)
    query = request.query
    scores = None
    if query.clauses:
        scores = match(visible, query)
        visible = visible.filter(pk__in=list(scores))
    results = _filtered(visible, request.filters)
    count = results.count()
    facet_counts = _facet_counts(visible, request.filters)
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
    highlights = {}
    if query.positive:
        highlights = {doc.pk: highlight(doc.summary + "\n" + doc.body, query) for doc in page}
    return BackendResult(count, to_hits(page, highlights, scores), facet_counts)


def _filtered(queryset, filters, skip=None):
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


def _facet_counts(matches, filters):
    from ...facets import FACET_NAMES

    counts = {name: {} for name in FACET_NAMES}
    # Facets nobody ticked share one base (every filter applies): one query for all of them.
    # Each ticked facet is counted without its own filter, so its siblings keep counts.
    groups = [([n for n in FACET_NAMES if n not in filters], None)]
    groups += [([name], name) for name in filters]
    for names, skip in groups:
        if not names:
            continue
        documents = _filtered(matches, filters, skip=skip).values("pk")
        rows = (
            SearchFacet.objects.filter(facet__in=names, document_id__in=documents)
            .values_list("facet", "value")
            .annotate(n=Count("document_id"))
        )
        for facet, value, n in rows:
            counts[facet][value] = n
    return counts


def match(visible, query):
    """{page_id: score} of the visible documents matching the query, scored in Python."""
    words = {stem(w) for c in query.positive for alt in c.alternatives for w in alt}
    candidates = visible
    if words:
        condition = Q()
        for word in words:
            for name in ranking.FIELD_WEIGHTS:
                condition |= Q(**{f"{name}__icontains": word})
        candidates = candidates.filter(condition)
    rows = list(candidates.values_list("pk", *ranking.FIELD_WEIGHTS))
    tokenised = {
        row[0]: {
            name: [stem(w) for w in words_of(text)]
            for name, text in zip(ranking.FIELD_WEIGHTS, row[1:], strict=True)
        }
        for row in rows
    }
    excluded = {
        pk
        for pk, fields in tokenised.items()
        for clause in query.negative
        if any(occurrences(tokens, clause) for tokens in fields.values())
    }
    if not query.positive:
        return {pk: 0.0 for pk in tokenised if pk not in excluded}
    total = SearchDocument.objects.count()
    # Per clause, each document's occurrences weighted by field (ts_rank's weights).
    ranks = [Counter() for _ in query.positive]
    for pk, fields in tokenised.items():
        if pk in excluded:
            continue
        for clause, per_doc in zip(query.positive, ranks, strict=True):
            weighted = sum(
                ranking.FIELD_WEIGHTS[name] * occurrences(tokens, clause)
                for name, tokens in fields.items()
            )
            if weighted:
                per_doc[pk] = weighted
    matched = {}
    for per_doc in ranks:
        weight = ranking.idf(total, len(per_doc))
        for pk, rank in per_doc.items():
            matched.setdefault(pk, []).append(ranking.ClauseRank(weight, rank))
    scores = {pk: ranking.score(clauses, len(ranks)) for pk, clauses in matched.items()}
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
            scores[pk] += ranking.phrase_weight(total, len(together))
    return scores


def stem(word):
    """A crude English stemmer for the portable mode (PostgreSQL uses Snowball)."""
    for suffix in ("ings", "ing", "ies", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def occurrences(tokens, clause):
    """How often any of the clause's alternatives occurs in a stemmed token list: quoted
    phrases word for word, other phrases with their words near each other (as on PostgreSQL)."""
    n = 0
    for i, alternative in enumerate(clause.alternatives):
        prefix = clause.prefix and i == 0
        if clause.quoted or len(alternative) == 1:
            n += _adjacent(tokens, alternative, prefix)
        else:
            n += _near(tokens, content_words(alternative), prefix)
    return n


def _matches(token, word, prefix):
    return token == stem(word) or (prefix and token.startswith(word))


def _adjacent(tokens, alternative, prefix):
    stems = [stem(w) for w in alternative]
    size, n = len(stems), 0
    for start in range(len(tokens) - size + 1):
        window = tokens[start : start + size]
        if window[:-1] == stems[:-1] and _matches(window[-1], alternative[-1], prefix):
            n += 1
    return n


def _at_distance(tokens, first, second, distance, prefix):
    """Whether `second` follows `first` exactly `distance` tokens later (stop words keep their
    places, as in PostgreSQL's vectors)."""
    first_stem = stem(first)
    return any(
        token == first_stem and _matches(tokens[i + distance], second, prefix)
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


def highlight(text, query):
    """A window of the text around the first matched word, matched words marked."""
    wanted = {stem(w) for c in query.positive for alt in c.alternatives for w in alt}
    prefixes = [c.words[-1] for c in query.positive if c.prefix]
    spans = list(_WORD_SPAN.finditer(text))

    def matches(span):
        word = span.group().lower()
        return stem(word) in wanted or any(word.startswith(p) for p in prefixes)

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
