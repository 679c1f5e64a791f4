"""Fewer than 5 people for a named force is never shown exactly: not on the dashboard, the
coverage grid and its cells, the report, nor in any CSV."""

import csv
import datetime as dt
import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from events.models import Registration
from insight import suppression
from newsletters.models import Subscriber, Subscription
from taxonomy.models import Criterion, JobRole, Organisation

pytestmark = pytest.mark.django_db

FORCE = "Cumbria Constabulary"


@pytest.fixture
def small_force(db, make_event):
    """Cumbria: 3 active subscribers following one criterion, 2 registrations (both attended),
    so each of its people counts is between 1 and 4. Kent: 7 subscribers, shown exactly."""
    cumbria = Organisation.objects.get(name=FORCE)
    cumbria.email_domains = "cumbria.police.uk"
    cumbria.save()
    kent = Organisation.objects.get(slug="kent-police")
    kent.email_domains = "kent.police.uk"
    kent.save()
    criterion = Criterion.objects.get(slug="initial-contact")
    now = timezone.now()
    for n, domain in enumerate(["cumbria.police.uk"] * 3 + ["kent.police.uk"] * 7):
        subscriber = Subscriber.objects.create(
            email=f"officer{n}@{domain}",
            organisation_type="force",
            status="active",
            confirmed_at=now - dt.timedelta(days=2),
        )
        Subscription.objects.create(
            subscriber=subscriber, kind="criterion", criterion=criterion, active=True
        )
    event = make_event(start=now - dt.timedelta(days=3), criteria=[criterion])
    for n in range(2):
        Registration.objects.create(
            event=event,
            name=f"Officer {n}",
            email=f"reg{n}@cumbria.police.uk",
            organisation=cumbria,
            role=JobRole.objects.first(),
            status="confirmed",
            attended=True,
        )
    call_command("rebuild_insight", days=40, verbosity=0)
    return cumbria


def _cumbria_rows(text):
    """Every CSV row naming the force."""
    return [row for row in csv.reader(io.StringIO(text)) if any(FORCE in c for c in row)]


@pytest.mark.parametrize(
    "section, table",
    [("reach", "reach-forces"), ("events", "events-forces"), ("practice", "practice-forces")],
)
def test_small_numbers_for_a_force_are_hidden_in_csv(
    client, small_force, insight_user, section, table
):
    client.force_login(insight_user)
    response = client.get(reverse("insight:csv", args=[section, table]))
    rows = _cumbria_rows(response.content.decode())
    assert rows
    for row in rows:
        assert not any(re.fullmatch(r"[1-4]", cell) for cell in row), row
    if section != "practice":
        assert suppression.HIDDEN in rows[0]


def test_small_numbers_for_a_force_are_hidden_on_the_dashboard(client, small_force, insight_user):
    client.force_login(insight_user)
    page = client.get(reverse("insight:dashboard")).content.decode()
    rows = re.findall(rf"<tr>\s*<th scope=\"row\">{FORCE}</th>(.*?)</tr>", page, re.S)
    # Reach, events and practice by force, and the forces sharing nothing (no figures).
    assert len(rows) == 4
    cells = [c.strip() for row in rows for c in re.findall(r"<td>(.*?)</td>", row)]
    assert not any(re.fullmatch(r"[1-4]", c) for c in cells), cells
    assert cells.count(suppression.HIDDEN) >= 3
    # Kent's 7 subscribers are shown exactly.
    assert re.search(r"<th scope=\"row\">Kent Police</th>\s*<td>7</td>", page)
    # No bar or bar label gives the hidden figure away in a chart.
    for chart in re.findall(r"<svg.*?</svg>", page, re.S):
        if FORCE in chart:
            assert ">3<" not in chart and ">2<" not in chart


def test_small_numbers_for_a_force_are_hidden_in_the_coverage_grid_and_cell(
    client, small_force, insight_user
):
    client.force_login(insight_user)
    grid = client.get(reverse("insight:coverage") + "?format=csv").content.decode()
    row = next(
        r
        for r in _cumbria_rows(grid)
        if r[1] == Criterion.objects.get(slug="initial-contact").name
    )
    assert row[3] == suppression.HIDDEN  # staff attending
    assert row[6] == suppression.HIDDEN  # subscribers
    page = client.get(reverse("insight:coverage")).content.decode()
    assert "Subscribers: 3<" not in page and "Attending: 2<" not in page
    assert "Subscribers: fewer than 5" in page
    cell = client.get(
        reverse("insight:coverage_cell", args=[small_force.slug, "initial-contact"])
    ).content.decode()
    assert suppression.HIDDEN in cell
    assert not re.search(r"<td>[1-4]</td>", cell)


def test_a_change_or_rate_computed_from_a_hidden_figure_is_hidden():
    hidden, shown = suppression.people(3, True), suppression.people(12, True)
    assert suppression.change(shown, hidden).text == suppression.HIDDEN
    assert suppression.percent(1, 4, hidden).text == suppression.HIDDEN
    assert suppression.people(3, False).text == "3"
    assert suppression.people(0, True).text == "0"
