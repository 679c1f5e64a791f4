"""Add the inspection abbreviations the public pages use (PEEL, JTAI, NCPI, HMICFRS) to the
glossary (search/data/glossary.json), so pages explain them and searches expand them.

Only missing terms are created: the NCPI team edits the glossary as a snippet, and a term they
already have is left as they wrote it.
"""

import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parents[2] / "search" / "data" / "glossary.json"
TERMS = ["PEEL", "JTAI", "NCPI", "HMICFRS"]


def add_terms(apps, schema_editor):
    GlossaryTerm = apps.get_model("search", "GlossaryTerm")
    entries = {e["term"]: e for e in json.loads(DATA.read_text(encoding="utf-8"))}
    for name in TERMS:
        entry = entries[name]
        GlossaryTerm.objects.get_or_create(
            term=entry["term"],
            defaults={
                "meaning": entry["meaning"],
                "synonyms": ", ".join(entry["synonyms"]),
                "description": entry["description"],
                "is_acronym": True,
            },
        )


class Migration(migrations.Migration):
    dependencies = [
        ("inspections", "0001_add_reports_register_and_calendar"),
        ("search", "0004_add_glossary_terms_vri_rso_kids"),
    ]

    operations = [migrations.RunPython(add_terms, migrations.RunPython.noop)]
