"""Indexes that keep a search at 100,000 documents from re-reading rows (PostgreSQL only).

Facet filters through an array index instead of jsonb's: jsonb_ops answers ?| ("holds any of
these values") only approximately (it cannot tell a key from a string in an array), so
PostgreSQL re-checked every row the index returned, and with it every other condition of the
scan, including the full-text match on the TOASTed vector. A filtered count ("exploitation"
in one region: 1,848 rows) read and decompressed 1,848 vectors for that, 29 of its 44 ms. The
array operator class answers overlap (&&) exactly, so those rows are counted from the index
bitmaps alone (3 ms). search_facet_array() turns the jsonb list into text[]; it is
immutable, so it can be indexed, and the backend writes the same call in its filters.

The sample of a large match set (search.backends.database.postgres.matching.SAMPLE_SQL) gets its own small
full-text indexes: the sample bucket and the vector in one GIN index (btree_gin), over the
first SAMPLE_INDEXED_BUCKETS buckets only. A common word's list in the whole index holds most
of the documents, and building its bitmap to AND it with the sample took 15 to 25 ms per
statement; in these indexes the list is an eighth as long and the bucket range is applied
inside the index (3 ms)."""

from django.contrib.postgres.operations import BtreeGinExtension
from django.db import migrations

SAMPLE = "(hashint4(page_id >> 3) & 1023)"
# search.backends.database.postgres.matching.SAMPLE_INDEXED_BUCKETS
SAMPLE_INDEXED_BUCKETS = 128
FUNCTION = (
    "CREATE OR REPLACE FUNCTION search_facet_array(jsonb) RETURNS text[] "
    "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE "
    "AS $$ SELECT array(SELECT jsonb_array_elements_text($1)) $$"
)
INDEXES = [
    ("search_doc_facet_array", "gin (search_facet_array(facet_values))"),
    (
        "search_doc_sample_vector",
        f"gin ({SAMPLE}, search_vector) WHERE {SAMPLE} < {SAMPLE_INDEXED_BUCKETS}",
    ),
    (
        "search_doc_sample_head",
        f"gin ({SAMPLE}, head_vector) WHERE {SAMPLE} < {SAMPLE_INDEXED_BUCKETS}",
    ),
]
TABLE = "search_searchdocument"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION)
    for name, definition in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {TABLE} USING {definition}")
    schema_editor.execute("DROP INDEX IF EXISTS search_doc_facet_values")
    # The planner's statistics for the new expressions, before the first search needs them.
    schema_editor.execute(f"ANALYZE {TABLE}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS search_doc_facet_values ON {TABLE} USING gin (facet_values)"
    )
    for name, _ in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
    schema_editor.execute("DROP FUNCTION IF EXISTS search_facet_array(jsonb)")


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0006_add_head_vector_and_facet_values"),
    ]

    operations = [BtreeGinExtension(), migrations.RunPython(create, drop)]
