"""Importing restricted practice: the restriction is in place before the page is first
published, so police-only practice is never public, not even to the alert and index tasks that
publishing starts."""

import json

import pytest
from django.core.management import CommandError, call_command
from wagtail.models import PageViewRestriction

from practice.models import PracticePage
from search import service
from taxonomy.models import Criterion

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clean_cache", "eager_celery")]


def record(**overrides):
    values = {
        "id": "r-1",
        "title": "Covert visits to known addresses",
        "summary": "Officers visit addresses linked to exploitation.",
        "force": "Testshire Police",
        "criteria": ["initial-contact"],
        "problem": "Children went missing to the same addresses.",
        "approach": "Unannounced visits.",
        "outcomes": "Fewer episodes.",
    }
    values.update(overrides)
    return values


def import_records(tmp_path, *records):
    path = tmp_path / "practice.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    call_command("import_practice", str(path))
    return path


def restriction_types(page):
    return sorted(r.restriction_type for r in PageViewRestriction.objects.filter(page=page))


def test_police_only_practice_is_imported_restricted_and_alerts_nobody(
    tmp_path, client, sink, make_subscriber, police_user, django_capture_on_commit_callbacks
):
    make_subscriber(
        email="partner@council.example", topics=[Criterion.objects.get(slug="initial-contact")]
    )
    with django_capture_on_commit_callbacks(execute=True):
        import_records(tmp_path, record(restriction="police"))
    page = PracticePage.objects.get(external_id="r-1")
    assert page.live
    assert restriction_types(page) == [PageViewRestriction.GROUPS]
    assert sink.messages == []
    response = client.get(page.url)
    assert response.status_code == 302 and "login" in response["Location"]
    assert service.search("covert visits", log=False).count == 0
    assert service.search("covert visits", user=police_user, log=False).count == 1


def test_signed_in_only_and_changing_the_restriction_on_reimport(
    tmp_path, sink, make_subscriber, django_capture_on_commit_callbacks
):
    make_subscriber(
        email="partner@council.example", topics=[Criterion.objects.get(slug="initial-contact")]
    )
    with django_capture_on_commit_callbacks(execute=True):
        import_records(tmp_path, record(restriction="signed-in"))
    page = PracticePage.objects.get(external_id="r-1")
    assert restriction_types(page) == [PageViewRestriction.LOGIN]
    assert sink.messages == []
    with django_capture_on_commit_callbacks(execute=True):
        import_records(tmp_path, record(restriction="public", title="Visits, now public"))
    assert restriction_types(page) == []
    # Public now: the subscriber hears of it, once.
    assert [m["Subject"] for _, m in sink.messages] == [
        "New on the Safeguarding Practice Exchange: Visits, now public"
    ]


def test_a_record_without_the_field_keeps_the_restriction_an_editor_set(tmp_path):
    import_records(tmp_path, record())
    page = PracticePage.objects.get(external_id="r-1")
    PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.LOGIN)
    import_records(tmp_path, record(title="Edited title"))
    assert restriction_types(page) == [PageViewRestriction.LOGIN]


def test_an_unknown_restriction_names_file_line_and_field(tmp_path):
    with pytest.raises(CommandError) as error:
        import_records(tmp_path, record(restriction="secret"))
    assert "practice.jsonl:1: field 'restriction'" in str(error.value)
    assert "public, signed-in, police" in str(error.value)
    assert not PracticePage.objects.filter(external_id="r-1").exists()
