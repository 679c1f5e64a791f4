"""PostgreSQL-only indexes: GIN on the weighted tsvector, and trigram GIN indexes (pg_trgm) on
titles (suggestions) and the vocabulary (typo correction). SQLite has neither, so they are
created here, by hand, only on PostgreSQL; on SQLite this migration does nothing."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEXES = [
    ("search_doc_vector", "search_searchdocument", "gin (search_vector)"),
    ("search_doc_title_trgm", "search_searchdocument", "gin (title gin_trgm_ops)"),
    ("search_word_trgm", "search_searchword", "gin (word gin_trgm_ops)"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table, definition in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING {definition}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _, _ in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("search", "0001_add_search_index_analytics_and_glossary")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create, drop),
    ]
