"""Import inspection reports, their findings and recommendations from JSON Lines.

The format is documented in inspections/IMPORT.md; inspections/sample/reports.jsonl is an example.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction

from portal.importing import ImportFailed, PageImporter, Record, read_records
from portal.importing import ImportResult as BaseImportResult
from practice.models import PracticePage
from taxonomy.models import Criterion, Organisation

from .models import (
    Finding,
    InspectionIndexPage,
    InspectionReportPage,
    Programme,
    Recommendation,
    RecommendationStatusChange,
    Status,
)

REQUIRED_FIELDS = ["id", "title", "force", "programme", "published", "summary"]
OPTIONAL_FIELDS = [
    "fieldwork_start",
    "fieldwork_end",
    "report_url",
    "findings",
    "notable_practice",
    "recommendations",
]
FINDING_FIELDS = ["criterion", "kind", "text"]
RECOMMENDATION_REQUIRED = ["id", "text", "criterion"]
RECOMMENDATION_OPTIONAL = ["reference", "owner", "action_plan_date", "due", "status_history"]
STATUS_REQUIRED = ["status", "date", "who"]
STATUS_OPTIONAL = ["note", "evidence_url"]


class NestedRecord(Record):
    """An object inside a record's list: errors name it, e.g. `recommendations[2].criterion`."""

    def __init__(self, parent, prefix, data):
        super().__init__(parent.path, parent.line, data)
        self.prefix = prefix

    def fail(self, field, message):
        raise ImportFailed(self.path, self.line, f"{self.prefix}.{field}", message)


@dataclass
class ImportResult(BaseImportResult):
    recommendations: int = 0


def organisation(record, field_name, slug):
    found = Organisation.objects.filter(slug=slug).first()
    if found is None:
        record.fail(field_name, f"unknown organisation '{slug}' (use a slug from the taxonomy)")
    return found


def nested(record, field_name):
    """The objects of a list field, as NestedRecords."""
    items = record.data.get(field_name, [])
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        record.fail(field_name, "must be a list of objects")
    path = f"{record.prefix}.{field_name}" if isinstance(record, NestedRecord) else field_name
    return [NestedRecord(record, f"{path}[{n}]", item) for n, item in enumerate(items, 1)]


def url(record, field_name):
    value = record.text(field_name, required=False, max_length=200)
    if value:
        try:
            URLValidator(schemes=["http", "https"])(value)
        except ValidationError:
            record.fail(field_name, f"'{value}' is not a web address starting http:// or https://")
    return value


def clean_recommendation(item, report_force, published):
    item.check_fields(RECOMMENDATION_REQUIRED, RECOMMENDATION_OPTIONAL)
    owner_slug = item.text("owner", required=False)
    values = {
        "external_id": item.text("id", max_length=64),
        "reference": item.text("reference", required=False, max_length=20),
        "text": item.text("text", multiline=True),
        "criterion": item.term("criterion", Criterion),
        "owner": organisation(item, "owner", owner_slug) if owner_slug else report_force,
        "action_plan_date": item.date("action_plan_date", required=False),
        "due_date": item.date("due", required=False),
    }
    if values["due_date"] and values["due_date"] < published:
        item.fail("due", "is before the report was published")
    history = None
    if "status_history" in item.data:
        history = []
        for change in nested(item, "status_history"):
            change.check_fields(STATUS_REQUIRED, STATUS_OPTIONAL)
            history.append(
                {
                    "status": change.choice("status", Status.choices, None),
                    "changed_on": change.date("date"),
                    "changed_by": change.text("who", max_length=200),
                    "note": change.text("note", required=False, multiline=True),
                    "evidence_url": url(change, "evidence_url"),
                }
            )
    values["history"] = history
    return values


def clean_report(record, seen_recommendations):
    """Check one record and return what to write; raises ImportFailed naming the field."""
    record.check_fields(REQUIRED_FIELDS, OPTIONAL_FIELDS)
    force = organisation(record, "force", record.text("force"))
    if force.kind != Organisation.Kind.FORCE:
        record.fail("force", f"'{force.slug}' is a partner organisation, not a police force")
    values = {
        "external_id": record.text("id", max_length=64),
        "title": record.text("title", max_length=255),
        "force": force,
        "programme": record.choice("programme", Programme.choices, None),
        "published_date": record.date("published"),
        "fieldwork_start": record.date("fieldwork_start", required=False),
        "fieldwork_end": record.date("fieldwork_end", required=False),
        "summary": record.text("summary", multiline=True),
        "report_url": url(record, "report_url"),
    }
    start, end = values["fieldwork_start"], values["fieldwork_end"]
    if start and end and end < start:
        record.fail("fieldwork_end", "is before fieldwork_start")
    if end and end > values["published_date"]:
        record.fail("fieldwork_end", "is after the report was published")

    findings = []
    for item in nested(record, "findings"):
        item.check_fields(FINDING_FIELDS)
        findings.append(
            {
                "criterion": item.term("criterion", Criterion),
                "kind": item.choice("kind", Finding.Kind.choices, None),
                "text": item.text("text", multiline=True),
            }
        )

    practice_ids = record.text_list("notable_practice")
    practice = {
        page.external_id: page
        for page in PracticePage.objects.filter(external_id__in=practice_ids)
    }
    for practice_id in practice_ids:
        if practice_id not in practice:
            record.fail("notable_practice", f"no practice was imported with id '{practice_id}'")

    recommendations = []
    for item in nested(record, "recommendations"):
        rec = clean_recommendation(item, force, values["published_date"])
        where = seen_recommendations.get(rec["external_id"])
        if where:
            item.fail("id", f"'{rec['external_id']}' is repeated (first on line {where})")
        seen_recommendations[rec["external_id"]] = record.line
        recommendations.append(rec)

    values["findings"] = findings
    values["notable_practice"] = [practice[pid] for pid in dict.fromkeys(practice_ids)]
    values["recommendations"] = recommendations
    return values


def write_recommendation(report, values, existing):
    values = dict(values)
    history = values.pop("history")
    rec = existing.get(values["external_id"])
    if rec is None:
        rec = Recommendation(report=report, **values)
    else:
        # A re-import may move a recommendation between reports in the file; follow the file.
        rec.report = report
        # An action_plan_date left out becomes None here and is recomputed on save.
        for name, value in values.items():
            setattr(rec, name, value)
    if history is not None:
        # The file gives the whole history: it replaces what was recorded before.
        rec.status_changes = [RecommendationStatusChange(**change) for change in history]
    rec.save()
    return rec


class ReportImporter(PageImporter):
    model = InspectionReportPage
    index_model = InspectionIndexPage
    index_title = "Inspections"
    index_slug = "inspections"
    noun = "reports"

    def __init__(self, existing_recommendations):
        self.existing_recommendations = existing_recommendations

    def new_result(self):
        return ImportResult()

    def split(self, values):
        return values, {"recommendations": values.pop("recommendations")}

    def assign(self, page, fields, created):
        findings = fields.pop("findings")
        super().assign(page, fields, created)
        page.findings = [Finding(**finding) for finding in findings]

    def after_publish(self, page, extra, result):
        for values in extra["recommendations"]:
            write_recommendation(page, values, self.existing_recommendations)
            result.recommendations += 1


def import_reports(path, *, stdout=None):
    """Import every record in `path` or none of them. Returns what was created and updated."""
    seen = {}
    cleaned = [clean_report(record, seen) for record in read_records(path)]
    with transaction.atomic():
        existing = {
            rec.external_id: rec
            for rec in Recommendation.objects.filter(external_id__in=list(seen)).prefetch_related(
                "status_changes"
            )
        }
        return ReportImporter(existing).write(cleaned, stdout=stdout)
