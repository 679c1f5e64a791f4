"""The insight pages: who reaches them, the period picker, CSV downloads, add to glossary."""

import csv
import datetime as dt
import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

pytestmark = pytest.mark.django_db

CSV_TABLES = [
    ("reach", "reach-forces"),
    ("events", "events-forces"),
    ("practice", "practice-forces"),
    ("search", "search-zero-results"),
]


def insight_urls():
    return [
        reverse("insight:dashboard"),
        reverse("insight:coverage"),
        reverse("insight:coverage") + "?format=csv",
        reverse("insight:coverage_cell", args=["kent-police", "initial-contact"]),
        reverse("insight:report"),
        *[reverse("insight:csv", args=pair) for pair in CSV_TABLES],
    ]


@pytest.fixture
def rolled_up(dataset):
    call_command("rebuild_insight", days=150, verbosity=0)
    return dataset


@pytest.mark.parametrize("url", insight_urls())
def test_only_the_insight_permission_reaches_any_page(
    client, insight_user, editor_without_insight, url
):
    response = client.get(url)
    assert response.status_code == 302 and "/login/" in response["Location"]
    client.force_login(editor_without_insight)
    # Wagtail answers PermissionDenied in the admin with a redirect to the dashboard.
    refused = client.get(url)
    assert refused.status_code == 302 and refused["Location"] == "/admin/"
    refused = client.post(reverse("insight:add_to_glossary"), {"query": "mash"})
    assert refused.status_code == 302 and refused["Location"] == "/admin/"
    client.force_login(insight_user)
    assert client.get(url).status_code == 200


def test_the_menu_shows_insight_only_to_those_with_the_permission(
    client, insight_user, editor_without_insight
):
    client.force_login(editor_without_insight)
    assert reverse("insight:dashboard") not in client.get("/admin/").content.decode()
    client.force_login(insight_user)
    assert reverse("insight:dashboard") in client.get("/admin/").content.decode()


@pytest.mark.parametrize(
    "query, message",
    [
        ("period=decade", "Choose a period from the list"),
        ("period=custom", "Enter the start date"),
        ("period=custom&start=2026-02-30&end=2026-03-01", "must be a real date"),
        ("period=custom&start=not-a-date&end=2026-03-01", "must be a real date"),
        ("period=custom&start=2026-03-02&end=2026-03-01", "on or before the end date"),
        ("period=custom&start=2020-01-01&end=2999-01-01", "cannot be in the future"),
        ("period=custom&start=1990-01-01&end=1990-02-01", "must be after"),
        ("period=custom&start=2010-01-01&end=2026-01-01", "at most three years"),
    ],
)
@pytest.mark.parametrize("page", ["insight:dashboard", "insight:report", "insight:coverage"])
def test_a_bad_period_is_answered_with_400_and_a_message(
    client, insight_user, query, message, page
):
    client.force_login(insight_user)
    response = client.get(f"{reverse(page)}?{query}")
    assert response.status_code == 400
    assert message in response.content.decode()


def test_a_custom_period_and_its_comparison_are_shown(client, rolled_up, insight_user):
    client.force_login(insight_user)
    response = client.get(
        reverse("insight:dashboard") + "?period=custom&start=2026-01-01&end=2026-01-31"
    )
    assert response.status_code == 200
    assert "1 January 2026 to 31 January 2026" in response.content.decode()
    # The previous period is the same length, just before.
    assert "1 December 2025 to 31 December 2025" in response.content.decode()


@pytest.mark.parametrize("section, table", CSV_TABLES)
def test_each_table_downloads_as_csv_with_its_heading_row(
    client, rolled_up, insight_user, section, table
):
    client.force_login(insight_user)
    response = client.get(reverse("insight:csv", args=[section, table]) + "?period=year")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert len(rows) > 1
    assert rows[0][0] in {"Force", "Search"}


def test_an_unknown_table_is_not_found(client, insight_user):
    client.force_login(insight_user)
    assert client.get(reverse("insight:csv", args=["reach", "nope"])).status_code == 404
    assert client.get(reverse("insight:csv", args=["nope", "nope"])).status_code == 404


def test_the_dashboard_reads_a_bounded_number_of_queries(
    client, rolled_up, insight_user, django_assert_max_num_queries
):
    client.force_login(insight_user)
    with django_assert_max_num_queries(45):
        response = client.get(reverse("insight:dashboard") + "?period=year")
    assert response.status_code == 200
    assert "<svg" in response.content.decode()


def test_add_to_glossary_opens_the_glossary_form_with_the_search(client, insight_user):
    from search.models import GlossaryTerm

    terms = GlossaryTerm.objects.count()
    client.force_login(insight_user)
    url = reverse("insight:add_to_glossary")
    assert client.get(url).status_code == 405
    response = client.post(url, {"query": "  county   lines "})
    assert response.status_code == 302
    form = client.get(response["Location"])
    assert form.status_code == 200
    assert 'value="county lines"' in form.content.decode()
    # Opening the form adds nothing until it is saved.
    assert GlossaryTerm.objects.count() == terms


@pytest.mark.parametrize("query", ["", "   ", "x" * 65])
def test_add_to_glossary_refuses_an_empty_or_overlong_term(client, insight_user, query):
    client.force_login(insight_user)
    response = client.post(reverse("insight:add_to_glossary"), {"query": query})
    assert response.status_code == 400
    assert "Nothing was added" in response.content.decode()


def test_add_to_glossary_needs_a_csrf_token(insight_user):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(insight_user)
    assert client.post(reverse("insight:add_to_glossary"), {"query": "mash"}).status_code == 403


def test_zero_result_searches_offer_add_to_glossary(client, rolled_up, insight_user):
    client.force_login(insight_user)
    page = client.get(reverse("insight:dashboard")).content.decode()
    assert "Add “zzz nothing” to the glossary" in page


def test_the_coverage_grid_has_every_territorial_force_and_links_each_cell(
    client, rolled_up, insight_user
):
    from taxonomy.models import Criterion, Organisation

    client.force_login(insight_user)
    page = client.get(reverse("insight:coverage")).content.decode()
    forces = Organisation.objects.filter(territorial=True)
    assert forces.count() == 43
    for force in forces:
        assert force.name.replace("'", "&#x27;") in page
    cells = len(re.findall(r'href="/admin/insight/coverage/[a-z]', page))
    assert cells == 43 * Criterion.objects.count()
    criterion = rolled_up["pages"][0].criteria.get().slug
    detail = client.get(reverse("insight:coverage_cell", args=["kent-police", criterion]))
    assert "Link officers" in detail.content.decode()


def test_the_quarterly_report_shows_the_baselines(client, rolled_up, insight_user):
    client.force_login(insight_user)
    page = client.get(reverse("insight:report")).content.decode()
    for baseline in ["5%", "68%", "55%"]:
        assert baseline in page
    stylesheet = client.get("/static/insight/report.css")
    assert b"@media print" in b"".join(stylesheet.streaming_content)


def test_without_glossary_rights_no_add_button_is_offered(client, rolled_up, insight_user):
    from django.contrib.auth.models import Permission

    insight_user.user_permissions.remove(Permission.objects.get(codename="add_glossaryterm"))
    client.force_login(insight_user)
    page = client.get(reverse("insight:dashboard")).content.decode()
    assert "zzz nothing" in page
    assert "to the glossary</button>" not in page


def test_a_stock_not_yet_recorded_for_the_previous_period_shows_a_dash(
    client, rolled_up, insight_user
):
    """Stocks (active subscribers) are snapshots taken from the first rollup on: the period
    before has none, which is not the same as nought."""
    client.force_login(insight_user)
    page = client.get(reverse("insight:dashboard")).content.decode()
    row = re.search(r"Active subscribers at the end of the period</th>(.*?)</tr>", page, re.S)
    cells = [c.strip() for c in re.findall(r"<td>(.*?)</td>", row.group(1))]
    assert cells[0] != "–" and cells[1:] == ["–", "–"]


@pytest.mark.parametrize(
    "query",
    [
        "period=custom&start=%00&end=2026-01-01",
        "period=custom&start=2026-13-01%0A&end=2026-12-01",
        "period=%FF%FE",
        "period=custom&start=99999-01-01&end=2026-01-01",
        "period=custom&start=2026-01-01&start=x&end=2026-01-02",
        "period=custom&start=" + "9" * 5000 + "&end=2026-01-01",
    ],
)
def test_hostile_period_parameters_are_a_clear_400(client, insight_user, query):
    client.force_login(insight_user)
    for name in ["insight:dashboard", "insight:coverage", "insight:report"]:
        assert client.get(f"{reverse(name)}?{query}").status_code == 400
    csv_url = reverse("insight:csv", args=["reach", "reach-forces"])
    assert client.get(f"{csv_url}?{query}").status_code == 400


def test_subscribers_over_time_by_organisation_type_add_up_to_the_raw_rows(
    client, rolled_up, insight_user
):
    from django.utils import timezone

    from insight.rollups import day_bounds
    from newsletters.models import Subscriber

    client.force_login(insight_user)
    url = reverse("insight:csv", args=["reach", "reach-types-over-time"]) + "?period=year"
    rows = list(csv.reader(io.StringIO(client.get(url).content.decode())))
    assert rows[0] == ["Period", "Police forces", "Partner organisations"]
    today = timezone.localdate()
    start, end = day_bounds(today - dt.timedelta(days=364), today)
    confirmed = Subscriber.objects.filter(confirmed_at__gte=start, confirmed_at__lt=end)
    for column, kind in [(1, "force"), (2, "partner")]:
        total = sum(int(row[column].replace(",", "")) for row in rows[1:])
        assert total == confirmed.filter(organisation_type=kind).count()
