"""Writing the database backend's tables: one row per document with its text, its facet
values and (on PostgreSQL) its weighted tsvectors, and the document frequencies kept in step.

The full vector weighs the title A, summary and tags B, the body C (ranking.FIELD_CLASSES);
the head vector (title and summary, kept in the row) serves the ranking's cheap first pass."""

from django.contrib.postgres.search import SearchVector
from django.db import connection, transaction

from ... import vocabulary
from ...models import SearchDocument, SearchFacet, SearchLexeme
from . import statistics
from .sql import FACETS, TABLE

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
    f"FROM {FACETS} f WHERE f.document_id = d.page_id) "
    "WHERE d.facet_values = '[]'::jsonb AND EXISTS (SELECT 1 FROM "
    f"{FACETS} f WHERE f.document_id = d.page_id)"
)


def _head_vector():
    return SearchVector("title", weight="A", config="english") + SearchVector(
        "summary", "keywords", weight="B", config="english"
    )


def upsert(documents, postgres):
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
        if postgres:
            # Document frequencies: take out the old vectors' lexemes, put in the new ones
            # (a repeated upsert takes out and puts back the same, changing nothing).
            with connection.cursor() as cursor:
                statistics.subtract_lexemes(cursor, ids)
            SearchDocument.objects.filter(page_id__in=ids).update(
                search_vector=_head_vector() + SearchVector("body", weight="C", config="english"),
                head_vector=_head_vector(),
            )
            with connection.cursor() as cursor:
                statistics.add_lexemes(cursor, ids)
        vocabulary.after_change(previous_words, documents)
        statistics.forget_corpus_statistics()


def delete(page_ids, postgres):
    ids = list(page_ids)
    with transaction.atomic():
        previous_words = vocabulary.before_change(ids)
        if postgres:
            with connection.cursor() as cursor:
                statistics.subtract_lexemes(cursor, ids)
        SearchDocument.objects.filter(page_id__in=ids).delete()
        vocabulary.after_change(previous_words)
        statistics.forget_corpus_statistics()


def clear():
    with transaction.atomic():
        SearchDocument.objects.all().delete()
        SearchLexeme.objects.all().delete()
        vocabulary.clear()
        statistics.forget_corpus_statistics()


def refresh_statistics(postgres):
    """Recount the document frequencies from the stored vectors, after rows were written
    without upsert (a bulk load), and derive what upsert derives (head_vector and
    facet_values) for rows that lack it, and the vocabulary."""
    vocabulary.recount()
    if not postgres:
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_DERIVE_HEAD)
        cursor.execute(_DERIVE_FACET_VALUES)
        statistics.recount_lexemes(cursor)
        statistics.forget_corpus_statistics()
