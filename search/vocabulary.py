"""The database backend's vocabulary: the words of indexed documents, counted per restriction
level, for typo correction ("did you mean").

Indexing a document adds its words at its level and takes away the words its previous version
held; deleting it takes its words away. A word whose count reaches nothing is removed, so the
vocabulary holds exactly the words of the documents now in the index, and a correction offered
to someone comes only from documents at the levels they may see.
"""

import difflib
from collections import Counter

from django.contrib.postgres.search import TrigramSimilarity
from django.db import connection

from .models import SearchDocument, SearchWord
from .query import words_of

# Words shorter than this are not kept: too short to correct towards.
MIN_VOCABULARY_WORD = 3
# Typed words shorter than this are never corrected.
MIN_CORRECTABLE = 4
# Vocabulary rows read or written per statement when counting in bulk.
BATCH = 1000

TABLE = SearchWord._meta.db_table
_ADD = (
    f"INSERT INTO {TABLE} (word, restriction, documents) VALUES (%s, %s, %s) "  # noqa: S608
    f"ON CONFLICT (word, restriction) DO UPDATE SET documents = {TABLE}.documents + "
    "excluded.documents"
)


def words_in(*texts):
    """The distinct words of a document worth correcting towards."""
    return {
        word
        for word in words_of(" ".join(texts))
        if len(word) >= MIN_VOCABULARY_WORD and word.isalpha()
    }


def _counts(rows):
    """Counter of (word, restriction) over rows of (restriction, title, summary, keywords,
    body): how many of those documents hold each word at each level."""
    counts = Counter()
    for restriction, *texts in rows:
        counts.update((word, restriction) for word in words_in(*texts))
    return counts


def _indexed_rows(page_ids):
    return SearchDocument.objects.filter(page_id__in=page_ids).values_list(
        "restriction", "title", "summary", "keywords", "body"
    )


def before_change(page_ids):
    """The counts the documents of these pages contribute now: call before replacing or
    deleting them, and pass the result to after_change."""
    return _counts(_indexed_rows(list(page_ids)))


def after_change(previous, documents=()):
    """Apply the difference between what the changed documents contributed before and what
    `documents` (search.documents.Document, the new versions) contribute now."""
    delta = _counts(
        (doc.restriction, doc.title, doc.summary, doc.keywords, doc.body) for doc in documents
    )
    delta.subtract(previous)
    # In one order, so two documents indexed at once never wait on each other's rows.
    changes = sorted((word, level, n) for (word, level), n in delta.items() if n)
    if not changes:
        return
    with connection.cursor() as cursor:
        for start in range(0, len(changes), BATCH):
            cursor.executemany(_ADD, changes[start : start + BATCH])
    fewer = sorted({word for word, _level, n in changes if n < 0})
    for start in range(0, len(fewer), BATCH):
        SearchWord.objects.filter(word__in=fewer[start : start + BATCH], documents__lte=0).delete()


def recount():
    """Count the vocabulary again from every indexed document (after a bulk load that wrote
    the index tables directly)."""
    SearchWord.objects.all().delete()
    rows = SearchDocument.objects.values_list(
        "restriction", "title", "summary", "keywords", "body"
    ).order_by("pk")
    counts = _counts(rows.iterator(chunk_size=BATCH))
    SearchWord.objects.bulk_create(
        (
            SearchWord(word=word, restriction=level, documents=n)
            for (word, level), n in counts.items()
        ),
        batch_size=BATCH,
    )


def clear():
    SearchWord.objects.all().delete()


def corrections(words, restrictions, trigrams):
    """{typed word: closest word of a document at these levels} for each typed word that no
    such document holds (nor begins, since an unfinished word is not a typo). `trigrams`
    uses PostgreSQL's pg_trgm; otherwise difflib over the words with the same first letter."""
    vocabulary = SearchWord.objects.filter(restriction__in=list(restrictions), documents__gt=0)
    corrected = {}
    for word in dict.fromkeys(words):
        if len(word) < MIN_CORRECTABLE or not word.isalpha():
            continue
        if vocabulary.filter(word__startswith=word).exists():
            continue
        if trigrams:
            best = (
                vocabulary.filter(word__trigram_similar=word)
                .annotate(similarity=TrigramSimilarity("word", word))
                .order_by("-similarity", "word")
                .values_list("word", flat=True)
                .first()
            )
        else:
            known = set(vocabulary.filter(word__startswith=word[0]).values_list("word", flat=True))
            close = difflib.get_close_matches(word, sorted(known), n=1, cutoff=0.75)
            best = close[0] if close else None
        if best:
            corrected[word] = best
    return corrected
