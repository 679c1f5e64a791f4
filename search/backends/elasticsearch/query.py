"""The query a search sends, built from the parsed clauses (search.query), never from the raw
text, so no input can reach Elasticsearch's query syntax: typo tolerance, phrases, the bonus
for matching more of what was typed, and the "most viewed" order from the live view counts."""

from elasticsearch.dsl import Q

from ...models import PageViewCount
from ...query import NEAR, adjacent_words

# Title matches count most, then the summary and tag names, then the body (as the database
# backend's A/B/C weights).
FIELDS = ["title^3", "summary^2", "keywords^2", "body"]
# "Most viewed" ranks this many of the most-viewed pages by their live counts (the view counter
# is a database table updated on every view, so it is read at query time rather than copied
# into the index, where it would always be stale). Pages below them rank as unviewed; a terms
# filter this long is still far under Elasticsearch's 65,536-term limit.
MOST_VIEWED_LIMIT = 10_000
# Typo tolerance: words under five letters match exactly (a one-letter change of "CSE" or
# "kids" finds "case" and "kits"), then one edit, and two from eight letters. Measured on the
# judged set (benchmarks/relevance.py): nDCG@10 0.72 with Elasticsearch's default AUTO (one
# edit from three letters), 0.74 with this.
FUZZINESS = "AUTO:5,8"
# A typed pair found as a phrase adds about as much as one more matching word would.
PHRASE_BOOST = 1.0
# What each matched clause adds besides its score (see text_query). Measured on the judged set:
# nDCG@10 0.74 without, 0.77 with 1, 0.80 with 3, 0.83 from 10 (matched clauses first).
CLAUSE_MATCHED = 10.0


def _clause_query(clause):
    """Any one of the clause's alternatives, a document's fields scored together (most_fields:
    a word in the title and the body counts for both, as the database backend's weighted
    vector does). Single unquoted words of five letters or more are typo-tolerant; phrases
    match as phrases, those the reader did not quote with their words near each other (as on
    the database backend); the as-you-type last word also matches as a prefix."""
    alternatives = []
    for i, words in enumerate(clause.alternatives):
        text = " ".join(words)
        if len(words) > 1:
            slop = 0 if clause.quoted else NEAR
            alternatives.append(
                Q("multi_match", query=text, type="phrase", slop=slop, fields=FIELDS)
            )
        elif clause.quoted:
            alternatives.append(Q("multi_match", query=text, fields=FIELDS, type="most_fields"))
        else:
            alternatives.append(
                Q(
                    "multi_match",
                    query=text,
                    fields=FIELDS,
                    type="most_fields",
                    fuzziness=FUZZINESS,
                    prefix_length=1,
                )
            )
        if clause.prefix and i == 0:
            alternatives.append(Q("multi_match", query=text, type="phrase_prefix", fields=FIELDS))
    return alternatives[0] if len(alternatives) == 1 else Q("dis_max", queries=alternatives)


def text_query(parsed):
    """Clauses ORed (each matching clause adds to the score, and pages matching more clauses
    rank first), negated clauses excluded; typed words found together as a phrase add a bonus
    (as on the database backend)."""
    positive = [_clause_query(c) for c in parsed.positive]
    negative = [_clause_query(c) for c in parsed.negative]
    if not positive and not negative:
        return Q("match_all")
    phrases = [
        # Stop words between the typed words keep their positions in the index (the english
        # analyser leaves a gap): "voice of the child" is "voice" and "child" three apart.
        Q(
            "multi_match",
            query=f"{first} {second}",
            type="phrase",
            slop=distance - 1,
            fields=FIELDS,
            boost=PHRASE_BOOST,
        )
        for first, second, distance, _prefix in adjacent_words(parsed)
    ]
    # Each matched clause also adds a constant worth more than a clause's usual score (its
    # BM25 over the fields, a few points), so pages matching more of what was typed rank
    # first, and the scores order pages matching as much: the database backend's
    # coordination. Without it, a word repeated in every field of a page outscored pages
    # with all three words ("safeguarding hub referrals" ranked pages about referring first).
    matched = [Q("constant_score", filter=c, boost=CLAUSE_MATCHED) for c in positive]
    return Q(
        "bool",
        should=positive + phrases + (matched if len(positive) > 1 else []),
        minimum_should_match=1 if positive else 0,
        must_not=negative,
        **({} if positive else {"must": [Q("match_all")]}),
    )


def most_viewed(query):
    """Score = views + 1 for viewed pages (1 for the rest), read from the live counter."""
    counts = list(
        PageViewCount.objects.filter(views__gt=0)
        .order_by("-views", "-page_id")
        .values_list("page_id", "views")[:MOST_VIEWED_LIMIT]
    )
    by_views = {}
    for page_id, views in counts:
        by_views.setdefault(views, []).append(page_id)
    functions = [
        {"filter": Q("terms", page_id=ids), "weight": views + 1} for views, ids in by_views.items()
    ]
    if not functions:
        return query
    return Q(
        "function_score",
        query=query,
        functions=functions,
        score_mode="max",
        boost_mode="replace",
    )
