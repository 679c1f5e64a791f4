from django import forms

from portal import text
from portal.forms import (
    MultiLineField,
    SingleLineField,
    SlugMultipleChoiceField,
    TaggedPagesFilterForm,
    YearMultipleChoiceField,
)
from taxonomy.models import Audience, Criterion, EvidenceLevel, Organisation, Region, Theme

from .models import PracticeAttachment, PracticePage


class PracticeFilterForm(TaggedPagesFilterForm):
    """The practice finder's filters: the same groups, names and values as search's facets
    (search.facets), so a filtered /practice/ link works on /search/ and the other way round,
    and a saved search matches on every one of them."""

    force = SlugMultipleChoiceField(
        Organisation.objects.filter(kind=Organisation.Kind.FORCE), label="Force"
    )
    region = SlugMultipleChoiceField(Region.objects.all(), label="Region")
    evidence = SlugMultipleChoiceField(EvidenceLevel.objects.all(), label="Evidence level")
    outcome = forms.MultipleChoiceField(
        choices=PracticePage.Outcome.choices, required=False, label="Outcome"
    )
    stage = forms.MultipleChoiceField(
        choices=PracticePage.Stage.choices, required=False, label="Stage"
    )
    year = YearMultipleChoiceField(label="Year published")

    lookups = TaggedPagesFilterForm.lookups | {
        "force": "force__in",
        "region": "force__region__in",
        "evidence": "evidence_level__in",
        "outcome": "outcome__in",
        "stage": "stage__in",
        "year": "published_date__year__in",
    }


class ContactOriginatorForm(forms.Form):
    """Asks the force that shared the practice a question, through the portal."""

    # Error messages in GOV.UK's words: say what to do, not what went wrong.
    name = SingleLineField(
        max_length=200,
        label="Your name",
        error_messages={
            "required": "Enter your name",
            "max_length": "Your name must be 200 characters or fewer",
        },
    )
    email = forms.EmailField(
        label="Your email address",
        help_text="Shared with the originator only so that they can reply to you.",
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )
    organisation = SingleLineField(
        max_length=200,
        label="Your organisation",
        error_messages={
            "required": "Enter your organisation",
            "max_length": "Your organisation must be 200 characters or fewer",
        },
    )
    message = MultiLineField(
        max_length=5000,
        label="Your message",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Do not include personal information about children or families.",
        error_messages={
            "required": "Enter your message",
            "max_length": "Your message must be 5,000 characters or fewer",
        },
    )


# Attachments a force may send with a submission. Office formats are ZIP containers; a PDF starts
# with "%PDF-". Checking the first bytes catches a renamed executable or image, which the
# extension alone would let through.
ATTACHMENT_SIGNATURES = {
    "pdf": (b"%PDF-",),
    "docx": (b"PK\x03\x04",),
    "pptx": (b"PK\x03\x04",),
    "xlsx": (b"PK\x03\x04",),
    "odt": (b"PK\x03\x04",),
    "csv": None,  # text: checked for NUL bytes instead
    "txt": None,
}
MAX_ATTACHMENTS = 5
MAX_ATTACHMENT_SIZE = 10 * 1024 * 1024
MAX_ATTACHMENTS_TOTAL_SIZE = 25 * 1024 * 1024
# Enough of a file to recognise it without reading a 10 MB upload into memory.
SNIFF_BYTES = 8192
MAX_PARTNERS = 20


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file input that accepts several files (Django's documented pattern); cleans to a list."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


def _megabytes(size):
    return f"{size // (1024 * 1024)}MB"


def check_attachment(upload):
    """The GOV.UK-style error for one uploaded file, or None when it is acceptable."""
    name = upload.name or "The selected file"
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ATTACHMENT_SIGNATURES:
        return f"{name} must be a PDF, DOCX, ODT, PPTX, XLSX, CSV or TXT file"
    if upload.size == 0:
        return f"{name} is empty"
    if upload.size > MAX_ATTACHMENT_SIZE:
        return f"{name} must be smaller than {_megabytes(MAX_ATTACHMENT_SIZE)}"
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    signatures = ATTACHMENT_SIGNATURES[extension]
    if signatures is None:
        if b"\x00" in head:
            return f"{name} must be a plain text file"
    elif not head.startswith(signatures):
        # The extension is a claim the content does not back up (a renamed file, or damage).
        return f"{name} is not a valid {extension.upper()} file"
    return None


def split_partners(text):
    """Partner names from free text: one per line, or separated by commas."""
    names = [name.strip() for line in text.splitlines() for name in line.split(",")]
    return list(dict.fromkeys(name for name in names if name))


def _text(label, *, required=True, max_length=10_000, rows=6, help_text="", what=None):
    what = what or label[0].lower() + label[1:]
    return MultiLineField(
        label=label,
        required=required,
        max_length=max_length,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={
            "required": f"Enter {what}",
            "max_length": f"{label} must be {max_length:,} characters or fewer",
        },
    )


class PracticeSubmissionForm(forms.Form):
    """A force's case study, with the same structured fields as a practice page.

    Long answers are plain text here (paragraphs split by a blank line) and become rich text on
    the page, so nobody outside the NCPI team can put markup or links into the site.
    """

    title = SingleLineField(
        max_length=255,
        label="Title",
        help_text='Say what the practice is, like "Link officers for children\'s homes".',
        error_messages={
            "required": "Enter a title",
            "max_length": "Title must be 255 characters or fewer",
        },
    )
    summary = _text(
        "Summary",
        max_length=1000,
        rows=3,
        help_text="Two or three sentences: what the practice is and why it matters.",
        what="a summary",
    )
    partners = _text(
        "Partner organisations (optional)",
        required=False,
        max_length=2000,
        rows=3,
        help_text="One per line, or separated by commas.",
    )
    criteria = forms.ModelMultipleChoiceField(
        Criterion.objects.all(),
        label="NCPI criteria",
        help_text="Select all that apply.",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select at least one NCPI criterion"},
    )
    themes = forms.ModelMultipleChoiceField(
        Theme.objects.all(),
        label="Themes (optional)",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    audiences = forms.ModelMultipleChoiceField(
        Audience.objects.all(),
        label="Who is it for? (optional)",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    problem = _text(
        "The problem",
        help_text="What was wrong, and for whom. Do not name children or families.",
        what="the problem",
    )
    approach = _text("What you did", what="what you did")
    outcomes = _text(
        "What happened",
        help_text="What changed, with numbers if you have them.",
        what="what happened",
    )
    implementation = _text("How another force could adopt it (optional)", required=False)
    adoption_people = _text(
        "Who needs to be involved (optional)", required=False, max_length=2000, rows=3
    )
    adoption_cost = _text(
        "Money, staff time and systems needed (optional)",
        required=False,
        max_length=2000,
        rows=3,
    )
    adoption_pitfalls = _text("Pitfalls to avoid (optional)", required=False, rows=4)
    evidence_level = forms.ModelChoiceField(
        EvidenceLevel.objects.all(),
        label="Evidence level (optional)",
        required=False,
        empty_label=None,
        widget=forms.RadioSelect,
    )
    outcome = forms.ChoiceField(
        choices=PracticePage.Outcome.choices,
        label="Did it work?",
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether it worked"},
    )
    stage = forms.ChoiceField(
        choices=PracticePage.Stage.choices,
        label="How far has it been evaluated?",
        widget=forms.RadioSelect,
        error_messages={"required": "Select how far it has been evaluated"},
    )
    contact_role = SingleLineField(
        max_length=255,
        label="Contact role",
        help_text="Shown on the page so others can ask about the practice. A role, not a name.",
        error_messages={
            "required": "Enter a contact role",
            "max_length": "Contact role must be 255 characters or fewer",
        },
    )
    contact_email = forms.EmailField(
        label="Contact email address",
        help_text="Never shown: messages from the page are forwarded to it.",
        error_messages={
            "required": "Enter a contact email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )
    attachments = MultipleFileField(
        label="Attachments (optional)",
        required=False,
        help_text=(
            f"Up to {MAX_ATTACHMENTS} files, such as a protocol, template or evaluation. "
            f"PDF, DOCX, ODT, PPTX, XLSX, CSV or TXT, each smaller than "
            f"{_megabytes(MAX_ATTACHMENT_SIZE)}, "
            f"{_megabytes(MAX_ATTACHMENTS_TOTAL_SIZE)} in total."
        ),
        widget=MultipleFileInput(
            attrs={"accept": ",".join(f".{extension}" for extension in ATTACHMENT_SIGNATURES)}
        ),
    )

    def clean_partners(self):
        names = split_partners(self.cleaned_data["partners"])
        if len(names) > MAX_PARTNERS:
            raise forms.ValidationError(f"Enter {MAX_PARTNERS} partner organisations or fewer")
        for name in names:
            if len(name) > 255:
                raise forms.ValidationError(
                    "Each partner organisation's name must be 255 characters or fewer"
                )
            problem = text.line_problem(name)
            if problem:
                # A tab inside a name: the field's own check allows tabs in the text.
                raise forms.ValidationError(
                    f"Each partner organisation's name {text.MESSAGES[problem]}"
                )
        return names

    def clean_attachments(self):
        files = self.cleaned_data["attachments"]
        if len(files) > MAX_ATTACHMENTS:
            raise forms.ValidationError(f"Select {MAX_ATTACHMENTS} files or fewer")
        for upload in files:
            error = check_attachment(upload)
            if error:
                raise forms.ValidationError(error)
        if sum(upload.size for upload in files) > MAX_ATTACHMENTS_TOTAL_SIZE:
            raise forms.ValidationError(
                f"The selected files must be smaller than "
                f"{_megabytes(MAX_ATTACHMENTS_TOTAL_SIZE)} in total"
            )
        return files


class PracticeResubmissionForm(PracticeSubmissionForm):
    """The submission form for a case study the NCPI team sent back for changes. Files cannot be
    filled in again, so the attachments sent before stay unless the submitter removes them, and
    new files are added to them."""

    remove_attachments = forms.ModelMultipleChoiceField(
        PracticeAttachment.objects.none(),
        label="Remove attachments (optional)",
        required=False,
        help_text="Select any you sent before that should not go with the case study.",
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, attachments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["remove_attachments"].queryset = attachments.select_related("document")

    def clean(self):
        data = super().clean()
        if "attachments" in data and "remove_attachments" in data:
            kept = self.fields["remove_attachments"].queryset.count() - len(
                data["remove_attachments"]
            )
            if kept + len(data["attachments"]) > MAX_ATTACHMENTS:
                self.add_error(
                    "attachments",
                    f"Select {max(MAX_ATTACHMENTS - kept, 0)} files or fewer, or remove some "
                    f"of the attachments you sent before (a case study has {MAX_ATTACHMENTS} "
                    f"at most)",
                )
        return data
