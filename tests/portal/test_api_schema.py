"""The API does what its OpenAPI document says, fuzzed by schemathesis.

schemathesis's command line (as anyone would run it) reads the served document
(/api/v1/openapi.json, with its enums read from the database) from `live_server` and calls every
operation with requests that follow the schema (positive mode: each must be accepted) and
requests that break it (negative mode: each must be refused with a 4xx), running all its checks
on every answer: no server error, documented status codes, content types, headers and bodies,
and correct 405s for methods the API does not have. Its examples, coverage (boundary values)
and fuzzing phases run with a bounded number of examples, so this takes seconds.
"""

import datetime as dt
import subprocess
import sys

import pytest
from django.core.cache import cache

from search import index
from taxonomy.models import Criterion, Organisation

# The live server's thread commits what the test made; serialized rollback puts back the rows
# the migrations load (taxonomy, glossary) after the flush that follows.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

EXAMPLES = 25


@pytest.fixture
def register(home_page):
    from inspections.models import InspectionIndexPage, InspectionReportPage, Recommendation

    inspections = home_page.add_child(
        instance=InspectionIndexPage(title="Inspections", slug="inspections")
    )
    report = inspections.add_child(
        instance=InspectionReportPage(
            title="NCPI inspection of Avon and Somerset",
            force=Organisation.objects.get(slug="avon-and-somerset-constabulary"),
            programme="ncpi-inspection",
            published_date=dt.date(2024, 5, 2),
            summary="Referrals are late.",
        )
    )
    report.save_revision().publish()
    Recommendation.objects.create(
        report=report,
        text="Refer within 24 hours.",
        criterion=Criterion.objects.get(slug="assessment-and-help"),
        owner=report.force,
    )


def test_schemathesis_finds_nothing_in_either_mode_with_all_checks(
    live_server, settings, make_practice, register, tmp_path, redis_available, postgres
):
    settings.RATELIMIT_ENABLE = False
    cache.clear()
    for n, criterion in enumerate(Criterion.objects.all()[:3]):
        index.update(make_practice(title=f"Joint visits {n}", criteria=[criterion]).pk)

    result = subprocess.run(
        [
            *(sys.executable, "-m", "schemathesis.cli", "--no-color", "run"),
            f"{live_server.url}/api/v1/openapi.json",
            *("--checks", "all", "--mode", "all"),
            *("--max-examples", str(EXAMPLES), "--generation-deterministic", "--workers", "2"),
        ],
        cwd=tmp_path,  # its reports and caches go here, not into the checkout
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-20_000:] + result.stderr[-5_000:]
    # Both operations were read from the document and tested.
    assert "Tested: 2" in result.stdout, result.stdout
