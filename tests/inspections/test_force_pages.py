"""Force pages: reports, recommendations with status, practice, and events in the region."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from taxonomy.models import Organisation, Region

pytestmark = pytest.mark.django_db

AVON = "/forces/avon-and-somerset-constabulary/"


def test_force_list_has_a_page_for_each_territorial_force(client):
    html = client.get("/forces/").content.decode()
    # Links to a force's own page (the navigation links to /forces/ itself).
    assert len(set(re.findall(r'href="/forces/[a-z0-9-]+/"', html))) == 43
    assert 'href="/forces/avon-and-somerset-constabulary/"' in html


def test_force_page_brings_together_reports_recommendations_practice_and_events(
    client, make_report, make_recommendation, make_practice, make_event
):
    avon = Organisation.objects.get(slug="avon-and-somerset-constabulary")
    beds = Organisation.objects.get(slug="bedfordshire-police")
    report = make_report(title="Avon NCPI 2024")
    make_report(title="Bedfordshire JTAI", force=beds)
    open_rec = make_recommendation(report=report, reference="R1", text="Refer within a day.")
    make_recommendation(
        report=report,
        reference="R2",
        text="Audit assessments.",
        history=[("completed", dt.date(2024, 9, 1))],
    )
    elsewhere = make_practice(title="Bedfordshire referral desk", force=beds)
    open_rec.answering_practice.add(elsewhere)
    open_rec.save()  # a ParentalManyToMany is written when its owner is saved
    make_practice(title="Avon link officers", force=avon)
    make_event(title="South West regional day", region=avon.region)
    make_event(title="Eastern regional day", region=Region.objects.get(slug="east-of-england"))
    make_event(
        title="Past South West day",
        region=avon.region,
        start=timezone.now() - dt.timedelta(days=10),
    )

    html = client.get(AVON).content.decode()
    assert "Avon NCPI 2024" in html
    assert "Bedfordshire JTAI" not in html
    assert "R1: Refer within a day." in html
    assert 'govuk-tag--green">Completed' in html
    # The open recommendation leads to how another force met it.
    assert (
        f'<a class="govuk-link" href="/recommendations/{open_rec.pk}/">How others met it' in html
    )
    assert "1 practice case study" in html
    assert "Avon link officers" in html
    assert "Bedfordshire referral desk" not in html
    assert "South West regional day" in html
    assert "Eastern regional day" not in html
    assert "Past South West day" not in html


def test_force_page_queries_stay_flat(
    client, make_report, make_recommendation, django_assert_max_num_queries
):
    report = make_report()
    for number in range(15):
        make_recommendation(report=report, text=f"Rec {number}")
    with django_assert_max_num_queries(25):
        assert client.get(AVON).status_code == 200


def test_unknown_or_partner_organisations_have_no_force_page(client):
    partner = Organisation.objects.create(name="A children's services department", kind="partner")
    assert client.get("/forces/no-such-force/").status_code == 404
    assert client.get(f"/forces/{partner.slug}/").status_code == 404


def test_a_force_that_shares_practice_has_a_page_even_if_not_territorial(client, make_practice):
    larkmoor = Organisation.objects.create(
        name="Larkmoor Police (demo)", slug="larkmoor-police-demo", kind="force"
    )
    assert client.get("/forces/larkmoor-police-demo/").status_code == 404
    make_practice(title="Child's view on notices", force=larkmoor)
    page = client.get("/forces/larkmoor-police-demo/").content.decode()
    assert "Child&#x27;s view on notices" in page or "Child's view on notices" in page
    assert 'href="/forces/larkmoor-police-demo/"' in client.get("/forces/").content.decode()
