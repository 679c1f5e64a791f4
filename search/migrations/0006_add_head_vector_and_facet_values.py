"""The database backend's inline columns for fast searches at scale: head_vector (title A,
summary and tags B, without the body: small enough to stay in the row, for picking candidates
to rank) and facet_values (SearchFacet's rows as "facet=value" strings, for filters and facet
counts without a join), filled for the documents already indexed. Their GIN indexes, like
those of 0002, exist only on PostgreSQL; on SQLite the columns stay unused."""

import django.contrib.postgres.search
from django.db import migrations, models

INDEXES = [
    ("search_doc_head", "search_searchdocument", "gin (head_vector)"),
    # jsonb_ops (the default) answers ?| ("holds any of these values"), which filters use.
    ("search_doc_facet_values", "search_searchdocument", "gin (facet_values)"),
    # The sample of a large match set (search.backends.database.postgres.matching.SAMPLE_SQL).
    ("search_doc_sample", "search_searchdocument", "btree ((hashint4(page_id >> 3) & 1023))"),
]
# Rows as narrow as PostgreSQL allows: the body, summary and full vector (read for the page
# of results only) move to TOAST, while the two new columns stay in the row (STORAGE MAIN), so
# a scan over tens of thousands of matches reads a small heap. Rows written from now on (and
# every row, by the updates below) take this layout; a big table shrinks on disk only after
# VACUUM FULL.
LAYOUT = [
    "ALTER TABLE search_searchdocument SET (toast_tuple_target = 128)",
    "ALTER TABLE search_searchdocument ALTER COLUMN head_vector SET STORAGE MAIN, "
    "ALTER COLUMN facet_values SET STORAGE MAIN",
]
FILL = [
    "UPDATE search_searchdocument SET head_vector = "
    "setweight(to_tsvector('english', coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('english', coalesce(summary, '') || ' ' || coalesce(keywords, '')), "
    "'B')",
    "UPDATE search_searchdocument d SET facet_values = coalesce((SELECT jsonb_agg("
    "f.facet || '=' || f.value ORDER BY f.facet, f.value) FROM search_searchfacet f "
    "WHERE f.document_id = d.page_id), '[]'::jsonb)",
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in LAYOUT + FILL:
        schema_editor.execute(statement)
    # The updates leave deferred foreign-key checks queued, and PostgreSQL refuses CREATE
    # INDEX on a table with pending trigger events: run the checks now.
    schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    for name, table, definition in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING {definition}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _, _ in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
    schema_editor.execute("ALTER TABLE search_searchdocument RESET (toast_tuple_target)")


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0005_add_lexeme_document_frequencies"),
    ]

    operations = [
        migrations.AddField(
            model_name="searchdocument",
            name="head_vector",
            field=django.contrib.postgres.search.SearchVectorField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="searchdocument",
            name="facet_values",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.RunPython(create, drop),
    ]
