"""Load the starting glossary (search/data/glossary.json); the NCPI team edits it afterwards.
Existing terms are left as they are, so editors' changes are never overwritten."""

import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "glossary.json"


def load(apps, schema_editor):
    GlossaryTerm = apps.get_model("search", "GlossaryTerm")
    for entry in json.loads(DATA.read_text(encoding="utf-8")):
        GlossaryTerm.objects.get_or_create(
            term=entry["term"],
            defaults={
                "meaning": entry.get("meaning", ""),
                "synonyms": ", ".join(entry.get("synonyms", [])),
                "description": entry.get("description", ""),
                "is_acronym": entry.get("is_acronym", True),
            },
        )


class Migration(migrations.Migration):
    dependencies = [("search", "0002_add_postgres_search_indexes")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
