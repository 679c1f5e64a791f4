"""Import practice case studies from JSON Lines: the fields are listed below; samples are in
sample_data/."""

from wagtail.models import PageViewRestriction

from portal import visibility
from portal.importing import PageImporter, paragraphs_to_html, read_records
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


class PracticeImporter(PageImporter):
    model = PracticePage
    index_model = PracticeIndexPage
    index_title = "Notable practice"
    index_slug = "practice"

    def split(self, values):
        extra = {
            name: values.pop(name)
            for name in ("criteria", "themes", "audiences", "partner_names", "restriction")
        }
        values["force"] = organisation(values.pop("force_name"), Organisation.Kind.FORCE)
        if values["published_date"] is None:
            values.pop("published_date")
        return values, extra

    def relate(self, page, extra, result):
        page.criteria.set(extra["criteria"])
        page.themes.set(extra["themes"])
        page.audiences.set(extra["audiences"])
        page.partners.set(
            [organisation(name, Organisation.Kind.PARTNER) for name in extra["partner_names"]]
        )
        if extra["restriction"] is not None:
            restrict(page, extra["restriction"])


def import_practice(path, *, stdout=None):
    """Import every record in `path` or none of them. Returns what was created and updated."""
    cleaned = [clean_practice(record) for record in read_records(path)]
    return PracticeImporter().write(cleaned, stdout=stdout)
