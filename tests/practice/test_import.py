"""Importing practice from JSON Lines: the sample corpus, idempotency, all-or-nothing errors."""

import json
import os
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from practice.models import PracticePage
from taxonomy.models import Organisation
from tests.conftest import read_jsonl

pytestmark = pytest.mark.django_db


def good_record(**overrides):
    record = {
        "id": "t-1",
        "title": "Link officers for children's homes",
        "summary": "A named officer for every home.",
        "force": "Testshire Police",
        "partners": ["residential care providers"],
        "criteria": ["initial-contact"],
        "themes": ["missing-children"],
        "audiences": ["neighbourhood-policing"],
        "published": "2021-05-04",
        "problem": "Homes reported children late.\n\nOfficers searched for hours.",
        "approach": "A protocol.",
        "outcomes": "Reports fell by 31%.",
        "implementation": "Map the homes.",
        "evidence_level": "promising",
        "contact_role": "Inspector",
        "source": "NCPI inspection 2019",
    }
    record.update(overrides)
    return record


def write_jsonl(path, records):
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records))
    return path


def test_imports_the_sample_corpus_and_reimport_updates_without_duplicating(sample_data, capsys):
    source = sample_data / "practice.jsonl"
    records = read_jsonl(source)
    call_command("import_practice", str(source))
    assert PracticePage.objects.live().count() == len(records) == 120

    first = records[0]
    page = PracticePage.objects.get(external_id=first["id"])
    assert page.title == first["title"]
    assert page.force.name == first["force"]
    assert sorted(page.criteria.values_list("slug", flat=True)) == sorted(first["criteria"])
    assert page.published_date.isoformat() == first["published"]
    # Paragraphs split by a blank line become separate paragraphs.
    assert page.problem.count("<p>") == first["problem"].count("\n\n") + 1
    assert page.recognised_by == PracticePage.RecognisedBy.NCPI_INSPECTION

    call_command("import_practice", str(source))
    assert PracticePage.objects.count() == 120
    assert "0 new, 120 updated" in capsys.readouterr().out


def test_reimport_applies_changes_to_the_existing_page(tmp_path):
    path = write_jsonl(tmp_path / "p.jsonl", [good_record()])
    call_command("import_practice", str(path))
    write_jsonl(path, [good_record(title="Renamed", criteria=["investigation"])])
    call_command("import_practice", str(path))
    page = PracticePage.objects.get(external_id="t-1")
    assert page.title == "Renamed"
    assert list(page.criteria.values_list("slug", flat=True)) == ["investigation"]
    assert page.live and not page.has_unpublished_changes


def test_unknown_force_and_partners_are_created(tmp_path):
    assert not Organisation.objects.filter(name="Testshire Police").exists()
    call_command("import_practice", str(write_jsonl(tmp_path / "p.jsonl", [good_record()])))
    page = PracticePage.objects.get(external_id="t-1")
    assert page.force.name == "Testshire Police"
    assert page.force.kind == Organisation.Kind.FORCE
    assert [p.kind for p in page.partners.all()] == [Organisation.Kind.PARTNER]


@pytest.mark.parametrize(
    ("bad_line", "expected"),
    [
        ('{"id": "t-2", "title": ', ":2: invalid JSON"),
        (
            good_record(id="t-2", criteria=["no-such-criterion"]),
            ":2: field 'criteria': unknown NCPI criterion 'no-such-criterion'",
        ),
        (
            good_record(id="t-2", published="2021-13-45"),
            ":2: field 'published': '2021-13-45' is not a date",
        ),
        (
            {k: v for k, v in good_record(id="t-2").items() if k != "summary"},
            ":2: field 'summary': is missing",
        ),
        (good_record(id="t-2", themes="missing-children"), ":2: field 'themes': must be a list"),
        (
            good_record(id="t-2", evidence_level="gold"),
            ":2: field 'evidence_level': unknown evidence level 'gold'",
        ),
        (good_record(id="t-1"), ":2: field 'id': 't-1' is repeated (first on line 1)"),
        (
            good_record(id="t-2", colour="blue"),
            ":2: field 'colour': is not a field of this format",
        ),
        ("[1, 2]", ":2: expected a JSON object"),
        # What the database, the JSON parser or an email subject cannot take: each is named
        # like any other bad value, never a traceback.
        (
            good_record(id="t-2", title="NUL\u0000byte"),
            ":2: field 'title': must not contain control characters",
        ),
        (
            good_record(id="t-2", title="Two\nEmail address: x@evil.example"),
            ":2: field 'title': must be on one line",
        ),
        (
            good_record(id="t-2", contact_role="Inspector\u2028Sergeant"),
            ":2: field 'contact_role': must be on one line",
        ),
        (
            good_record(id="t-2", problem="Bell\u0007"),
            ":2: field 'problem': must not contain control characters",
        ),
        (
            good_record(id="t-2", force="Lone \ud800 surrogate"),
            ":2: field 'force': must not contain control characters",
        ),
        (
            good_record(id="t-2", criteria=["initial-contact\u0000"]),
            ":2: field 'criteria': must not contain control characters",
        ),
        (
            good_record(id="t-2", evidence_level="gold\u0000"),
            ":2: field 'evidence_level': must not contain control characters",
        ),
        (
            '{"id": "t-2", "title": ' + "[" * 100_000 + "]" * 100_000 + "}",
            ":2: invalid JSON: nested",
        ),
        ('{"id": "t-2", "title": ' + "9" * 5000 + "}", ":2: invalid JSON: a number is too long"),
    ],
)
def test_a_bad_record_stops_the_import_naming_file_line_and_field(tmp_path, bad_line, expected):
    path = write_jsonl(tmp_path / "bad.jsonl", [good_record(), bad_line, good_record(id="t-3")])
    pages_before = PracticePage.objects.count()
    organisations_before = Organisation.objects.count()
    with pytest.raises(CommandError) as error:
        call_command("import_practice", str(path))
    assert f"{path}{expected}" in str(error.value)
    assert "Nothing was imported" in str(error.value)
    # The good record on line 1 was not written either, nor its new force.
    assert PracticePage.objects.count() == pages_before
    assert Organisation.objects.count() == organisations_before


def test_import_exits_non_zero_from_the_command_line(tmp_path):
    path = write_jsonl(tmp_path / "bad.jsonl", ["not json"])
    result = subprocess.run(
        [sys.executable, "manage.py", "import_practice", str(path)],
        capture_output=True,
        text=True,
        env={**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"},
        timeout=120,
    )
    assert result.returncode != 0
    assert f"{path}:1: invalid JSON" in result.stderr


def test_a_control_character_in_the_file_exits_non_zero_without_a_traceback(tmp_path):
    path = write_jsonl(tmp_path / "bad.jsonl", [good_record(title="NUL\u0000byte")])
    result = subprocess.run(
        [sys.executable, "manage.py", "import_practice", str(path)],
        capture_output=True,
        text=True,
        env={**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"},
        timeout=120,
    )
    assert result.returncode != 0
    assert f"{path}:1: field 'title': must not contain control characters" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_file_is_reported(tmp_path):
    with pytest.raises(CommandError, match="file not found"):
        call_command("import_practice", str(tmp_path / "nope.jsonl"))
