"""Import practice case studies from JSON Lines (format in ../shared/DESIGN.md)."""

from dataclasses import dataclass, field

from django.db import transaction
from wagtail.models import PageViewRestriction

from portal import visibility
from portal.importing import (
    ImportFailed,
    paragraphs_to_html,
    publish,
    read_records,
    unique_child_slug,
)
from taxonomy.models import Audience, Criterion, EvidenceLevel, Organisation, Theme

from .models import PracticeIndexPage, PracticePage

REQUIRED_FIELDS = [
    "id",
    "title",
    "summary",
    "force",
    "criteria",
    "problem",
    "approach",
    "outcomes",
]
OPTIONAL_FIELDS = [
    "partners",
    "themes",
    "audiences",
    "published",
    "implementation",
    "evidence_level",
    "contact_role",
    "contact_email",
    "source",
    "outcome",
    "stage",
    "recognised_by",
    "restriction",
]

# Who may see an imported case study: applied before the page is first published, so practice
# for police eyes only is never public, not even for the moment alerts and the index take.
# Without the field a new page is public and an existing page keeps the restriction it has.
RESTRICTIONS = [("public", "everyone"), ("signed-in", "signed-in users"), ("police", "police")]

# How a record's free-text `source` maps to "recognised by" when the record does not say.
SOURCE_PREFIXES = [
    ("ncpi post-inspection review", PracticePage.RecognisedBy.NCPI_REVIEW),
    ("ncpi inspection", PracticePage.RecognisedBy.NCPI_INSPECTION),
    ("peel", PracticePage.RecognisedBy.OTHER_INSPECTION),
    ("jtai", PracticePage.RecognisedBy.OTHER_INSPECTION),
    ("force self-assessment", PracticePage.RecognisedBy.SELF_ASSESSMENT),
    ("peer review", PracticePage.RecognisedBy.PEER_REVIEW),
]


@dataclass
class ImportResult:
    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)


def recognised_by_from_source(source):
    lowered = source.lower()
    for prefix, value in SOURCE_PREFIXES:
        if lowered.startswith(prefix):
            return value
    return ""


def clean_practice(record):
    """Check one record and return the page's field values; raises ImportFailed."""
    record.check_fields(REQUIRED_FIELDS, OPTIONAL_FIELDS)
    source = record.text("source", required=False, max_length=255)
    values = {
        "external_id": record.text("id", max_length=64),
        "title": record.text("title", max_length=255),
        "summary": record.text("summary", multiline=True),
        "force_name": record.text("force", max_length=255),
        "partner_names": record.text_list("partners"),
        "criteria": record.terms("criteria", Criterion, required=True),
        "themes": record.terms("themes", Theme),
        "audiences": record.terms("audiences", Audience),
        "published_date": record.date("published", required=False),
        "problem": paragraphs_to_html(record.text("problem", multiline=True)),
        "approach": paragraphs_to_html(record.text("approach", multiline=True)),
        "outcomes": paragraphs_to_html(record.text("outcomes", multiline=True)),
        "implementation": paragraphs_to_html(
            record.text("implementation", required=False, multiline=True)
        ),
        "evidence_level": record.term("evidence_level", EvidenceLevel, required=False),
        "contact_role": record.text("contact_role", required=False, max_length=255),
        "contact_email": record.email("contact_email"),
        "source": source,
        "outcome": record.choice("outcome", PracticePage.Outcome.choices, "promising"),
        "stage": record.choice("stage", PracticePage.Stage.choices, "untested"),
        "recognised_by": record.choice(
            "recognised_by", PracticePage.RecognisedBy.choices, recognised_by_from_source(source)
        ),
        "restriction": record.choice("restriction", [*RESTRICTIONS, (None, "")], None),
    }
    for name in values["partner_names"]:
        if len(name) > 255:
            record.fail("partners", f"'{name[:40]}…' is longer than 255 characters")
    return values


def restrict(page, restriction):
    """Give the page exactly this view restriction of its own ("public": none)."""
    wanted = {
        "public": None,
        "signed-in": PageViewRestriction.LOGIN,
        "police": PageViewRestriction.GROUPS,
    }[restriction]
    current = list(PageViewRestriction.objects.filter(page=page).prefetch_related("groups"))
    if wanted == PageViewRestriction.GROUPS:
        police = visibility.police_group()
        keep = [
            r
            for r in current
            if r.restriction_type == wanted and {g.pk for g in r.groups.all()} == {police.pk}
        ]
    else:
        keep = [r for r in current if r.restriction_type == wanted]
    for old in current:
        if old not in keep[:1]:
            old.delete()
    if wanted and not keep:
        made = PageViewRestriction.objects.create(page=page, restriction_type=wanted)
        if wanted == PageViewRestriction.GROUPS:
            made.groups.set([visibility.police_group()])


def organisation(name, kind):
    """The organisation with this name, created (as `kind`) when the import names a new one."""
    found = Organisation.objects.filter(name__iexact=name).first()
    return found or Organisation.objects.create(name=name, kind=kind)


def practice_index():
    index = PracticeIndexPage.objects.first()
    if index is None:
        from portal.models import HomePage

        home = HomePage.objects.first()
        if home is None:
            raise ImportFailed("(site)", 0, None, "there is no home page to import under")
        index = home.add_child(
            instance=PracticeIndexPage(title="Notable practice", slug="practice")
        )
        publish(index)
    return index


def import_practice(path, *, stdout=None):
    """Import every record in `path` or none of them. Returns what was created and updated."""
    records = read_records(path)
    cleaned = [clean_practice(record) for record in records]

    result = ImportResult()
    with transaction.atomic():
        index = practice_index()
        existing = {
            page.external_id: page
            for page in PracticePage.objects.filter(
                external_id__in=[values["external_id"] for values in cleaned]
            )
        }
        for number, values in enumerate(cleaned, start=1):
            values = dict(values)
            criteria, themes, audiences = (
                values.pop("criteria"),
                values.pop("themes"),
                values.pop("audiences"),
            )
            force = organisation(values.pop("force_name"), Organisation.Kind.FORCE)
            partners = [
                organisation(name, Organisation.Kind.PARTNER)
                for name in values.pop("partner_names")
            ]
            restriction = values.pop("restriction")
            if values["published_date"] is None:
                values.pop("published_date")
            page = existing.get(values["external_id"])
            if page is None:
                # Not live until published below, after its restriction is in place.
                page = PracticePage(force=force, live=False, **values)
                page.slug = unique_child_slug(index, page.title, page.external_id)
                index.add_child(instance=page)
                result.created.append(page)
            else:
                for name, value in values.items():
                    setattr(page, name, value)
                page.force = force
                result.updated.append(page)
            page.criteria.set(criteria)
            page.themes.set(themes)
            page.audiences.set(audiences)
            page.partners.set(partners)
            if restriction is not None:
                restrict(page, restriction)
            publish(page)
            if stdout and number % 25 == 0:
                stdout.write(f"  {number}/{len(cleaned)} records written")
    return result
