"""The registration form's organisation (a listed one, or "Other (not listed)" and its name)
and role (a job role), and how every place that shows a registration shows them."""

import csv
import importlib
import io
import re

import pytest
from django.apps import apps

from events import privacy
from events.models import Registration
from taxonomy.models import Audience, JobRole, Organisation

pytestmark = pytest.mark.django_db


def options_of(html, select_id):
    select = re.search(rf'<select[^>]*id="{select_id}".*?</select>', html, re.S).group(0)
    return select, re.findall(r"<option value=\"[^\"]*\"[^>]*>([^<]*)</option>", select)


def test_role_lists_job_roles_and_organisation_groups_forces_and_partners(client, make_event):
    Organisation.objects.create(name="Kent Children's Services", kind=Organisation.Kind.PARTNER)
    html = client.get(make_event().url).content.decode()

    select, roles = options_of(html, "register-role")
    assert roles == ["Choose your role", *JobRole.objects.values_list("name", flat=True)]
    assert "Response officer" in roles and "Social worker" in roles
    assert not set(roles) & set(Audience.objects.values_list("name", flat=True))

    select, organisations = options_of(html, "register-organisation")
    assert '<optgroup label="Police forces">' in select
    assert '<optgroup label="Partner organisations">' in select
    assert select.index("Avon and Somerset Constabulary") < select.index("Partner organisations")
    assert select.index("Partner organisations") < select.index("Kent Children&#x27;s Services")
    assert organisations[0] == "Choose your organisation"
    assert organisations[-1] == "Other (not listed)"
    assert 'data-module="portal-select-autocomplete"' in select
    # Without JavaScript the name field is there, and says when to fill it in.
    assert 'id="register-organisation_other"' in html
    assert "Only if your organisation is not in the list" in html


def test_choosing_other_without_a_name_is_refused_and_saves_nothing(client, make_event, form_data):
    event = make_event()
    response = client.post(event.url, form_data(organisation="other"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert '<a href="#register-organisation_other">Enter the name of your organisation</a>' in html
    assert not Registration.objects.exists()


def test_choosing_nothing_and_typing_nothing_asks_for_the_organisation(
    client, make_event, form_data
):
    response = client.post(make_event().url, form_data(organisation=""))
    assert response.status_code == 400
    assert '<a href="#register-organisation">Choose your organisation</a>' in (
        response.content.decode()
    )
    assert not Registration.objects.exists()


def test_a_name_too_long_or_on_two_lines_is_refused(client, make_event, form_data):
    event = make_event()
    for typed, message in [
        ("x" * 201, "Your organisation&#x27;s name must be 200 characters or fewer"),
        ("Acme\nTrust", "Organisation name must be on one line"),
    ]:
        data = form_data(organisation="other", organisation_other=typed)
        response = client.post(event.url, data)
        assert response.status_code == 400
        assert message in response.content.decode()
    assert not Registration.objects.exists()


def test_other_with_a_name_is_saved_and_shown_to_the_ncpi_team(
    client, admin_client, make_event, form_data
):
    event = make_event()
    response = client.post(
        event.url, form_data(organisation="other", organisation_other="  Acme Youth Trust ")
    )
    assert response.status_code == 302
    registration = Registration.objects.get()
    assert registration.organisation is None
    assert registration.organisation_other == "Acme Youth Trust"
    assert registration.organisation_name == "Acme Youth Trust"

    html = admin_client.get(f"/admin/events/{event.pk}/registrations/").content.decode()
    assert "<td>Acme Youth Trust</td><td>1</td>" in html  # the count by organisation
    assert "<td>Acme Youth Trust</td>" in html.split("All registrations")[1]
    response = admin_client.get(f"/admin/events/{event.pk}/registrations.csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert (rows[0]["organisation"], rows[0]["role"]) == ("Acme Youth Trust", "Response officer")
    attendance = admin_client.get(f"/admin/events/{event.pk}/attendance/").content.decode()
    assert "<td>Acme Youth Trust</td>" in attendance


def test_a_typed_name_with_nothing_chosen_counts_as_other(client, make_event, form_data):
    response = client.post(
        make_event().url, form_data(organisation="", organisation_other="Acme Youth Trust")
    )
    assert response.status_code == 302
    registration = Registration.objects.get()
    assert (registration.organisation, registration.organisation_other) == (
        None,
        "Acme Youth Trust",
    )


def test_a_listed_organisation_wins_over_a_typed_name(client, make_event, form_data):
    client.post(make_event().url, form_data(organisation_other="Somewhere else"))
    registration = Registration.objects.get()
    assert registration.organisation.slug == "avon-and-somerset-constabulary"
    assert registration.organisation_other == ""


def test_the_registrant_sees_and_changes_a_typed_organisation(
    client, make_event, form_data, django_capture_on_commit_callbacks
):
    event = make_event()
    client.post(event.url, form_data(organisation="other", organisation_other="Acme Youth Trust"))
    registration = Registration.objects.get()
    html = client.get(registration.manage_path()).content.decode()
    select, _ = options_of(html, "change-organisation")
    assert '<option value="other" selected>Other (not listed)</option>' in select
    assert 'value="Acme Youth Trust"' in html

    data = privacy.registration_data(registration)
    assert (data["organisation"], data["role"]) == ("Acme Youth Trust", "Response officer")

    kent = Organisation.objects.get(slug="kent-police")
    response = client.post(
        registration.manage_path(),
        {
            "action": "change",
            "name": "Sam Officer",
            "organisation": kent.pk,
            "organisation_other": "Acme Youth Trust",
            "role": JobRole.objects.get(slug="social-worker").pk,
        },
    )
    assert response.status_code == 302
    registration.refresh_from_db()
    assert (registration.organisation, registration.organisation_other) == (kent, "")
    assert registration.role.slug == "social-worker"


def test_anonymising_drops_a_typed_organisation_name(make_event, book):
    registration = book(make_event(), organisation=None, organisation_other="Acme Youth Trust")
    privacy.anonymise(Registration.objects.filter(pk=registration.pk))
    registration.refresh_from_db()
    assert registration.organisation_other == ""
    assert registration.organisation_name == "Other (not listed)"


def test_existing_roles_become_job_roles_and_unmapped_audiences_are_kept(make_event, book):
    """The data migration, run on rows as they stood before it (the audience in
    role_audience, no job role)."""
    migration = importlib.import_module("events.migrations.0008_registration_role_is_a_job_role")
    event = make_event()
    mapped = {}
    for audience in Audience.objects.all():
        registration = book(event, role=None, role_audience=audience)
        mapped[registration.pk] = audience.slug

    migration.audiences_to_job_roles(apps, None)

    rows = Registration.objects.select_related("role", "role_audience")
    found = {mapped[r.pk]: (r.role and r.role.slug, r.role_audience_id) for r in rows}
    partners = Audience.objects.get(slug="safeguarding-partners")
    assert found["safeguarding-partners"] == (None, partners.pk)
    assert found["frontline-response"] == ("response-officer", None)
    assert found["control-room"] == ("call-handler", None)
    assert found["senior-leaders"] == ("senior-leader", None)
    assert all(role for slug, (role, _) in found.items() if slug != "safeguarding-partners")
    kept = rows.get(role_audience=partners)
    assert kept.role_name == "Safeguarding partners"
    assert privacy.registration_data(kept)["role"] == "Safeguarding partners"
