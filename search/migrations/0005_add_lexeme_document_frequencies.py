"""Per-lexeme document frequencies for the database backend's IDF (search.models.SearchLexeme),
counted from the documents already indexed (PostgreSQL only; SQLite has no tsvectors)."""

from django.db import migrations, models

COUNT = (
    "INSERT INTO search_searchlexeme (lexeme, documents) "
    "SELECT word, ndoc FROM ts_stat('SELECT search_vector FROM search_searchdocument "
    "WHERE search_vector IS NOT NULL') WHERE length(word) <= 255"
)


def count(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(COUNT)


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0004_add_glossary_terms_vri_rso_kids"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchLexeme",
            fields=[
                ("lexeme", models.CharField(max_length=255, primary_key=True, serialize=False)),
                ("documents", models.PositiveIntegerField(default=0)),
            ],
        ),
        migrations.RunPython(count, migrations.RunPython.noop),
    ]
