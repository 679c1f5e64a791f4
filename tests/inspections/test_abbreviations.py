"""Inspection abbreviations (PEEL, JTAI, NCPI) are explained where the public meets them, and
the inspections section is in the service navigation."""

import pytest
from django.core.cache import cache

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_glossary():
    cache.clear()


def test_report_pages_explain_peel_and_jtai(client, make_report):
    for programme, meaning in (
        ("peel", "police effectiveness, efficiency and legitimacy"),
        ("jtai", "joint targeted area inspection"),
    ):
        report = make_report(programme=programme)
        html = client.get(report.url).content.decode()
        assert f'<abbr title="{meaning}">{programme.upper()}</abbr>' in html, programme


def test_practice_recognised_by_another_inspection_explains_both(client, make_practice):
    page = make_practice(recognised_by="other-inspection")
    html = client.get(page.url).content.decode()
    assert '<abbr title="police effectiveness, efficiency and legitimacy">PEEL</abbr>' in html
    assert '<abbr title="joint targeted area inspection">JTAI</abbr>' in html


def test_the_glossary_lists_the_inspection_terms(client):
    html = client.get("/glossary/").content.decode()
    for term in ("PEEL", "JTAI", "NCPI", "HMICFRS"):
        assert term in html


def test_inspections_are_in_the_service_navigation(client, inspection_index, home_page):
    html = client.get("/").content.decode()
    navigation = html[html.index('id="navigation"') : html.index("</nav>")]
    assert f'href="{inspection_index.url}"' in navigation
    assert "Inspections" in navigation
