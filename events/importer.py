"""Import learning events from JSON Lines: the fields are listed below; samples are in
sample_data/."""

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db.models import Q

from portal.importing import PageImporter, paragraphs_to_html, read_records
from taxonomy.models import Audience, Criterion, EventFormat, Region, Theme

from .calendar import uid_for_import_id
from .models import EventIndexPage, EventPage

# More seats than any venue or webinar has: a bigger number is a mistake in the file.
MAX_CAPACITY = 100_000
REQUIRED_FIELDS = ["id", "title", "summary", "description", "start", "end", "format", "region"]
OPTIONAL_FIELDS = [
    "venue",
    "criteria",
    "themes",
    "audiences",
    "capacity",
    "registration_opens",
    "registration_closes",
    "joining_url",
    "joining_instructions",
]


def clean_event(record):
    """Check one record and return the page's field values; raises ImportFailed."""
    record.check_fields(REQUIRED_FIELDS, OPTIONAL_FIELDS)
    values = {
        "external_id": record.text("id", max_length=64),
        "title": record.text("title", max_length=255),
        "summary": record.text("summary", multiline=True),
        "description": paragraphs_to_html(record.text("description", multiline=True)),
        "start": record.datetime("start"),
        "end": record.datetime("end"),
        "format": record.term("format", EventFormat),
        "venue": record.text("venue", required=False, multiline=True),
        "criteria": record.terms("criteria", Criterion),
        "themes": record.terms("themes", Theme),
        "audiences": record.terms("audiences", Audience),
        "capacity": record.optional_int("capacity", minimum=1, maximum=MAX_CAPACITY),
        "registration_opens": record.date("registration_opens", required=False),
        "registration_closes": record.date("registration_closes", required=False),
    }
    # Joining details are often added in the admin after the import: a record without them
    # leaves them as they are.
    if "joining_url" in record.data:
        values["joining_url"] = record.text("joining_url", required=False, max_length=200)
    if "joining_instructions" in record.data:
        values["joining_instructions"] = paragraphs_to_html(
            record.text("joining_instructions", required=False, multiline=True)
        )
    if values["end"] <= values["start"]:
        record.fail("end", "must be after start")
    opens, closes = values["registration_opens"], values["registration_closes"]
    if opens and closes and closes < opens:
        record.fail("registration_closes", "must not be before registration_opens")
    region_name = record.text("region", max_length=255)
    region = Region.objects.filter(Q(name__iexact=region_name) | Q(slug=region_name)).first()
    if region is None:
        record.fail("region", f"unknown region '{region_name}'")
    values["region"] = region
    if values["format"].slug in ("in-person", "hybrid") and not values["venue"]:
        record.fail("venue", "is needed for in-person and hybrid events")
    if values.get("joining_url"):
        if values["format"].slug == "in-person":
            record.fail("joining_url", "is for online and hybrid events only")
        try:
            URLValidator(schemes=["https"])(values["joining_url"])
        except ValidationError:
            record.fail("joining_url", "must be an https:// address")
    return values


class EventImporter(PageImporter):
    model = EventPage
    index_model = EventIndexPage
    index_title = "Learning events"
    index_slug = "events"

    def split(self, values):
        return values, {name: values.pop(name) for name in ("criteria", "themes", "audiences")}

    def assign(self, page, fields, created):
        super().assign(page, fields, created)
        if created:
            page.calendar_uid = uid_for_import_id(page.external_id)

    def relate(self, page, extra, result):
        for name, terms in extra.items():
            getattr(page, name).set(terms)


def import_events(path, *, stdout=None, adjust=None):
    """Import every record in `path` or none of them.

    `adjust`, if given, is called with each record's cleaned values before writing (the demo
    loader uses it to move dates into the future).
    """
    cleaned = [clean_event(record) for record in read_records(path)]
    if adjust:
        cleaned = [adjust(values) for values in cleaned]
    return EventImporter().write(cleaned, stdout=stdout)
