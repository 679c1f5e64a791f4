"""Add the glossary terms the relevance benchmark showed missing (VRI, RSO, CAPVA, "kids" for
child, plain ways of saying SUDI...) from search/data/glossary.json.

0003 only creates terms that do not exist, and the NCPI team has been editing the glossary as a
snippet since, so this touches only the terms named here: a missing term is created; an
existing one gains the synonyms it lacks (never loses one) and a meaning only if it has none.
"""

import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "glossary.json"
TERMS = [
    "child",
    "SUDI",
    "VRI",
    "RSO",
    "CAPVA",
    "teenager",
    "care home",
    "handcuffing",
    "cuckooing",
]


def add_terms(apps, schema_editor):
    GlossaryTerm = apps.get_model("search", "GlossaryTerm")
    entries = {e["term"]: e for e in json.loads(DATA.read_text(encoding="utf-8"))}
    for name in TERMS:
        entry = entries[name]
        term, created = GlossaryTerm.objects.get_or_create(
            term=entry["term"],
            defaults={
                "meaning": entry.get("meaning", ""),
                "synonyms": ", ".join(entry.get("synonyms", [])),
                "description": entry.get("description", ""),
                "is_acronym": entry.get("is_acronym", True),
            },
        )
        if created:
            continue
        have = [s.strip() for s in term.synonyms.split(",") if s.strip()]
        known = {s.lower() for s in have}
        have += [s for s in entry.get("synonyms", []) if s.lower() not in known]
        term.synonyms = ", ".join(have)
        term.meaning = term.meaning or entry.get("meaning", "")
        term.save(update_fields=["synonyms", "meaning"])


class Migration(migrations.Migration):
    dependencies = [("search", "0003_load_glossary")]

    operations = [migrations.RunPython(add_terms, migrations.RunPython.noop)]
