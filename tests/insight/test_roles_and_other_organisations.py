"""Registrations by role count job roles, and keep an audience some registrations gave as
their role; a registration naming an organisation that is not listed counts in the totals and
under no force."""

import csv
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from events.models import Registration
from taxonomy.models import Audience, JobRole, Organisation

pytestmark = pytest.mark.django_db


def test_events_by_role_and_force_count_every_way_of_giving_them(client, make_event, insight_user):
    event = make_event()
    kent = Organisation.objects.get(slug="kent-police")
    responder = JobRole.objects.get(slug="response-officer")
    partners = Audience.objects.get(slug="safeguarding-partners")
    rows = [
        {"organisation": kent, "role": responder},
        {"organisation": kent, "role": None, "role_audience": partners},
        {"organisation": None, "organisation_other": "Acme Youth Trust", "role": responder},
    ]
    for n, fields in enumerate(rows):
        person = {"name": f"Person {n}", "email": f"p{n}@example.org"}
        Registration.objects.create(event=event, status="confirmed", **person, **fields)
    call_command("rebuild_insight", days=3, verbosity=0)
    client.force_login(insight_user)

    def table(key):
        url = reverse("insight:csv", args=["events", key]) + "?period=year"
        rows = csv.reader(io.StringIO(client.get(url).content.decode()))
        return {row[0]: row[1] for row in rows}

    by_role = table("events-roles")
    assert by_role["Response officer"] == "2"
    assert by_role["Safeguarding partners"] == "1"
    assert by_role["Social worker"] == "0"
    assert "Senior leaders" not in by_role  # an audience nobody gave as a role
    assert table("events-headlines")["Registrations"] == "3"
