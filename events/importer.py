"""Import learning events from JSON Lines (format in ../shared/DESIGN.md)."""

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Q

from portal.importing import (
    ImportFailed,
    paragraphs_to_html,
    publish,
    read_records,
    unique_child_slug,
)
from practice.importer import ImportResult
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


def event_index():
    index = EventIndexPage.objects.first()
    if index is None:
        from portal.models import HomePage

        home = HomePage.objects.first()
        if home is None:
            raise ImportFailed("(site)", 0, None, "there is no home page to import under")
        index = home.add_child(instance=EventIndexPage(title="Learning events", slug="events"))
        publish(index)
    return index


def import_events(path, *, stdout=None, adjust=None):
    """Import every record in `path` or none of them.

    `adjust`, if given, is called with each record's cleaned values before writing (the demo
    loader uses it to move dates into the future).
    """
    records = read_records(path)
    cleaned = [clean_event(record) for record in records]
    if adjust:
        cleaned = [adjust(values) for values in cleaned]

    result = ImportResult()
    with transaction.atomic():
        index = event_index()
        existing = {
            page.external_id: page
            for page in EventPage.objects.filter(
                external_id__in=[values["external_id"] for values in cleaned]
            )
        }
        for number, values in enumerate(cleaned, start=1):
            values = dict(values)
            tags = {name: values.pop(name) for name in ("criteria", "themes", "audiences")}
            page = existing.get(values["external_id"])
            if page is None:
                page = EventPage(**values)
                page.calendar_uid = uid_for_import_id(page.external_id)
                page.slug = unique_child_slug(index, page.title, page.external_id)
                index.add_child(instance=page)
                result.created.append(page)
            else:
                for name, value in values.items():
                    setattr(page, name, value)
                result.updated.append(page)
            for name, terms in tags.items():
                getattr(page, name).set(terms)
            publish(page)
            if stdout and number % 25 == 0:
                stdout.write(f"  {number}/{len(cleaned)} records written")
    return result
