"""Load the shipped taxonomy facts into the database. Used by the data migration."""

import json
from pathlib import Path

TAXONOMY_FILE = Path(__file__).resolve().parent / "data" / "taxonomy.json"
NATIONAL_REGION = "National"


def load_taxonomy(apps=None):
    """Create or update every term in taxonomy.json; safe to run twice."""
    if apps is None:
        from django.apps import apps as global_apps

        apps = global_apps
    get = apps.get_model
    data = json.loads(TAXONOMY_FILE.read_text(encoding="utf-8"))

    simple = {
        "criteria": get("taxonomy", "Criterion"),
        "themes": get("taxonomy", "Theme"),
        "audiences": get("taxonomy", "Audience"),
        "evidence_levels": get("taxonomy", "EvidenceLevel"),
        "event_formats": get("taxonomy", "EventFormat"),
    }
    # Job roles came after the migration that first loads this file: that migration's models
    # have none, and the migration that adds them loads them (load_terms).
    try:
        simple["job_roles"] = get("taxonomy", "JobRole")
    except LookupError:
        pass
    for key, model in simple.items():
        _load_terms(model, data[key])

    from django.utils.text import slugify

    Region = get("taxonomy", "Region")
    region_names = sorted({force["region"] for force in data["forces"]})
    regions = {}
    for order, name in enumerate(region_names):
        regions[name], _ = Region.objects.update_or_create(
            slug=slugify(name), defaults={"name": name, "sort_order": order}
        )
    Region.objects.update_or_create(
        slug=slugify(NATIONAL_REGION),
        defaults={"name": NATIONAL_REGION, "sort_order": len(region_names)},
    )

    Organisation = get("taxonomy", "Organisation")
    for force in data["forces"]:
        Organisation.objects.update_or_create(
            slug=force["slug"],
            defaults={
                "name": force["name"],
                "kind": "force",
                "region": regions[force["region"]],
                "territorial": True,
            },
        )


def load_terms(apps, key, model_name):
    """Create or update one list of taxonomy.json's simple terms (as "job_roles")."""
    data = json.loads(TAXONOMY_FILE.read_text(encoding="utf-8"))
    _load_terms(apps.get_model("taxonomy", model_name), data[key])


def _load_terms(model, items):
    for order, item in enumerate(items):
        defaults = {"name": item["name"], "sort_order": order}
        if "description" in item:
            defaults["description"] = item["description"]
        model.objects.update_or_create(slug=item["slug"], defaults=defaults)
