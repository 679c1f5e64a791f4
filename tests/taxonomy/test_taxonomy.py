import json

import pytest
from django.urls import reverse

from taxonomy.loader import TAXONOMY_FILE
from taxonomy.models import (
    Audience,
    Criterion,
    EventFormat,
    EvidenceLevel,
    JobRole,
    Organisation,
    Region,
    Theme,
)

pytestmark = pytest.mark.django_db


def test_migration_loads_every_term_shipped_in_the_repo():
    data = json.loads(TAXONOMY_FILE.read_text())
    assert list(Criterion.objects.values_list("slug", flat=True)) == [
        c["slug"] for c in data["criteria"]
    ]
    assert Criterion.objects.count() == 8
    assert Theme.objects.count() == len(data["themes"])
    assert Audience.objects.count() == len(data["audiences"])
    assert list(JobRole.objects.values_list("slug", flat=True)) == [
        r["slug"] for r in data["job_roles"]
    ]
    assert EvidenceLevel.objects.count() == len(data["evidence_levels"])
    assert set(EventFormat.objects.values_list("slug", flat=True)) == {
        "in-person",
        "online",
        "hybrid",
    }


def test_the_43_forces_each_belong_to_their_region():
    forces = Organisation.objects.filter(kind=Organisation.Kind.FORCE, territorial=True)
    assert forces.count() == 43
    assert not forces.filter(region__isnull=True).exists()
    assert forces.get(slug="dyfed-powys-police").region.name == "Wales"
    assert Region.objects.filter(name="National").exists()


def test_ncpi_team_edits_a_criterion_and_adds_a_partner_as_snippets(admin_client):
    criterion = Criterion.objects.get(slug="trusted-adult")
    edit_url = reverse("wagtailsnippets_taxonomy_criterion:edit", args=[criterion.pk])
    response = admin_client.get(edit_url)
    assert response.status_code == 200
    response = admin_client.post(
        edit_url,
        {
            "name": "A trusted adult",
            "slug": "trusted-adult",
            "sort_order": 5,
            "description": "Whether children have a trusted adult with them.",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    criterion.refresh_from_db()
    assert criterion.name == "A trusted adult"

    add_url = reverse("wagtailsnippets_taxonomy_organisation:add")
    response = admin_client.post(
        add_url,
        {
            "name": "Northfield Children's Services",
            "slug": "northfield-childrens-services",
            "kind": "partner",
            "region": "",
            "email_domains": "northfield.example",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    partner = Organisation.objects.get(slug="northfield-childrens-services")
    assert partner.kind == Organisation.Kind.PARTNER


@pytest.mark.parametrize(
    ("existing", "new", "slug"),
    [
        ("Childrens Services", "Children's Services", "childrens-services-2"),
        ("\u0663\u0663", "\u0664\u0664", "organisation-2"),
    ],
)
def test_organisations_whose_names_slugify_alike_get_different_slugs(existing, new, slug):
    # A force's submission names its partners freely; the second used to fail the submission.
    Organisation.objects.create(name=existing, kind=Organisation.Kind.PARTNER)
    created = Organisation.objects.create(name=new, kind=Organisation.Kind.PARTNER)
    assert created.slug == slug
