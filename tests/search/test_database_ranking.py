"""Relevance mechanisms of the database backend (PostgreSQL full text and the portable mode):
glossary phrases matched with their words near each other, BM25-like saturation and
coordination, the phrase bonus, and the glossary terms migration 0004 adds.

Not part of the contract suite: the Elasticsearch backend has its own analysers and scoring.
"""

import pytest

from search import service
from search.models import GlossaryTerm

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["database", "database-portable"])
def backend(request, postgres):
    return request.param


def titles(results):
    return [hit.title for hit in results.hits]


def run(backend, query):
    return service.search(query, backend=backend, log=False)


def test_a_glossary_phrase_finds_its_words_near_each_other_not_only_adjacent(backend, indexed):
    GlossaryTerm.objects.create(term="XDI", meaning="died unexpectedly", is_acronym=True)
    indexed(title="Joint response", summary="When a baby died suddenly and unexpectedly.")
    indexed(
        title="Far apart",
        summary="He died in 2019. Years later, after a quiet spell, the roof unexpectedly fell.",
    )
    # Words a few positions apart match; the same words a sentence apart do not.
    assert titles(run(backend, "XDI")) == ["Joint response"]


def test_a_glossary_phrase_of_common_words_still_needs_them_together(backend, indexed):
    """Most documents hold "died", so the index is asked for "unexpectedly" alone; the
    documents it finds are then checked for the phrase."""
    GlossaryTerm.objects.create(term="XDI", meaning="died unexpectedly", is_acronym=True)
    indexed(title="Joint response", summary="When a baby died suddenly and unexpectedly.")
    indexed(
        title="Far apart",
        summary="He died in 2019. Years later, after a quiet spell, the roof unexpectedly fell.",
    )
    for n in range(4):
        indexed(title=f"Inquest {n}", summary="The man died at home.")
    assert titles(run(backend, "XDI")) == ["Joint response"]


def test_a_quoted_phrase_still_matches_word_for_word(backend, indexed):
    indexed(title="Joint response", summary="When a baby died suddenly and unexpectedly.")
    indexed(title="Other response", summary="When a baby died unexpectedly at home.")
    assert titles(run(backend, '"died unexpectedly"')) == ["Other response"]


def test_matching_more_query_words_beats_repeating_one(backend, indexed):
    indexed(title="Filler one", summary="Curfew checks.")
    for n in range(2):
        indexed(title=f"Filler {n}", summary="Other checks.")
    # Created first, so the tie-break (newest id first) alone would put it second.
    indexed(title="Checks two", summary="Bail reviews.", problem="<p>A curfew was set.</p>")
    indexed(
        title="Checks one",
        summary="Bail reviews.",
        problem="<p>Bail was missed. Bail was late. Bail was wrong. Bail again.</p>",
    )
    # "bail" and "curfew" are as rare as each other; page one repeats "bail" four times, but
    # page two matches both words: saturation and coordination rank it first.
    assert titles(run(backend, "bail curfew"))[0] == "Checks two"


@pytest.mark.parametrize(
    ("query", "text"),
    [
        ("VRI", "Every visually recorded interview is planned with the intermediary."),
        ("RSO", "Officers visit each registered sex offender at home."),
        ("kids", "Children placed out of area are visited in the first week."),
        ("SUDI", "When a baby died suddenly and unexpectedly, a detective visits."),
    ],
)
def test_glossary_terms_added_by_migration_0004(backend, indexed, query, text):
    indexed(title="Unrelated", summary="Nothing to see.")
    indexed(title="The one", summary=text)
    assert titles(run(backend, query)) == ["The one"]


def test_typed_words_next_to_each_other_rank_above_the_same_words_apart(indexed, postgres):
    # Created first, so the tie-break (newest id first) alone would put it second.
    indexed(title="Together", summary="The duty call handlers review every case.")
    indexed(title="Apart", summary="Call the duty handlers before the review.")
    assert titles(run("database", "call handlers")) == ["Together", "Apart"]


def test_postgresql_and_the_portable_mode_score_with_one_formula(postgres):
    """search.backends.database.ranking defines the score once: the SQL that PostgreSQL runs
    and the portable mode's Python give the same number for the same clause ranks (a
    document of average length, one clause of two matched, the phrase bonus earned)."""
    from django.db import connection

    from search.backends.database import ranking

    document = "(SELECT setweight(to_tsvector('english', 'grab packs'), 'A') AS v) AS d0"
    full = ranking.rank_sql(
        [ranking.Weighted("grab", 2.0), ranking.Weighted("missing", 1.5)],
        [ranking.Weighted("grab <1> packs", 0.5)],
        average_length=2.0,  # the document's own length: a length norm of 1
        vector="d0.v",
    )
    clause_rank = (
        f"ts_rank({ranking.RANK_WEIGHTS_SQL}, d0.v, to_tsquery('english', 'grab')) "
        f"/ {ranking.TITLE_OCCURRENCE}"
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {full.sql}, {clause_rank} FROM {document}", full.params)  # noqa: S608
        sql_score, rank = cursor.fetchone()

    python_score = ranking.score([ranking.ClauseRank(2.0, rank)], clauses=2) + 0.5
    assert sql_score == pytest.approx(python_score, rel=1e-6)
