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
    for key, model in simple.items():
        for order, item in enumerate(data[key]):
            defaults = {"name": item["name"], "sort_order": order}
            if "description" in item:
                defaults["description"] = item["description"]
            model.objects.update_or_create(slug=item["slug"], defaults=defaults)

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
