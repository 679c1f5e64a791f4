from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Case, IntegerField, Value, When

from portal.forms import (
    MultiLineField,
    SingleLineField,
    SlugMultipleChoiceField,
    TaggedPagesFilterForm,
)
from taxonomy.models import EventFormat, JobRole, Organisation, Region

from .models import (
    OTHER_ORGANISATION_LABEL,
    EventPage,
    EventQuestion,
    Feedback,
    Registration,
)

POLICE_SUFFIXES_SETTING = "EVENTS_POLICE_EMAIL_DOMAINS"


class EventFilterForm(TaggedPagesFilterForm):
    region = SlugMultipleChoiceField(Region.objects.all(), label="Region")
    format = SlugMultipleChoiceField(EventFormat.objects.all(), label="Format")

    lookups = TaggedPagesFilterForm.lookups | {
        "region": "region__in",
        "format": "format__in",
    }


def police_email_domains():
    """Domains whose addresses count as police: the national ones in settings plus those the
    NCPI team records on each force."""
    from django.conf import settings

    domains = {d.lower() for d in getattr(settings, POLICE_SUFFIXES_SETTING, ["police.uk"])}
    for value in Organisation.objects.filter(kind=Organisation.Kind.FORCE).values_list(
        "email_domains", flat=True
    ):
        domains.update(d.strip().lower().lstrip("@") for d in value.split(",") if d.strip())
    return domains


def is_police_email(email):
    domain = email.rsplit("@", 1)[-1].lower()
    return any(domain == d or domain.endswith("." + d) for d in police_email_domains())


class OrganisationChoiceField(forms.ModelChoiceField):
    """The listed organisations, police forces first and then partners, each group in
    alphabetical order, and OTHER for an organisation that is not listed (its name is typed
    into the form's organisation_other)."""

    OTHER = "other"
    GROUPS = {
        Organisation.Kind.FORCE: "Police forces",
        Organisation.Kind.PARTNER: "Partner organisations",
    }
    # After the listed organisations (event_forms.select_options).
    extra_choices = [(OTHER, OTHER_ORGANISATION_LABEL)]

    def __init__(self, **kwargs):
        queryset = Organisation.objects.annotate(
            kind_order=Case(
                When(kind=Organisation.Kind.FORCE, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        ).order_by("kind_order", "name")
        super().__init__(queryset=queryset, **kwargs)

    def label_from_instance(self, obj):
        return obj.name

    def group_from_instance(self, obj):
        return self.GROUPS.get(obj.kind, self.GROUPS[Organisation.Kind.PARTNER])

    def to_python(self, value):
        if value == self.OTHER:
            return self.OTHER
        return super().to_python(value)


class RegistrationForm(forms.Form):
    """Register for one event without an account; the event's own questions are added."""

    name = SingleLineField(
        max_length=200,
        label="Full name",
        error_messages={
            "required": "Enter your full name",
            "max_length": "Your name must be 200 characters or fewer",
        },
    )
    email = forms.EmailField(
        label="Email address",
        help_text="We send your confirmation and joining details here.",
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )
    # Not required by itself: a name typed below with nothing chosen here counts as "Other"
    # (clean_organisation_other says what is missing).
    organisation = OrganisationChoiceField(
        required=False,
        label="Organisation",
        help_text="Your police force or partner organisation.",
        empty_label="Choose your organisation",
        error_messages={"invalid_choice": "Choose your organisation from the list"},
    )
    organisation_other = SingleLineField(
        required=False,
        max_length=200,
        label="Organisation name",
        help_text=f"Only if your organisation is not in the list: choose "
        f"{OTHER_ORGANISATION_LABEL} and enter its name.",
        error_messages={"max_length": "Your organisation's name must be 200 characters or fewer"},
    )
    role = forms.ModelChoiceField(
        queryset=JobRole.objects.all(),
        label="Role",
        help_text="Your job role, or the nearest to it.",
        empty_label="Choose your role",
        error_messages={
            "required": "Choose your role",
            "invalid_choice": "Choose your role from the list",
        },
    )
    consent_to_contact = forms.BooleanField(
        required=False,
        label="The NCPI team may email me about future learning events",
    )

    def __init__(self, event, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        if not event.is_online:
            self.fields["email"].help_text = "We send your confirmation here."
        # `has_questions`: annotated where the event was fetched to register (events.views).
        has_questions = getattr(event, "has_questions", True)
        self.questions = list(event.questions.all()) if has_questions else []
        for question in self.questions:
            self.fields[self.question_field_name(question)] = self._question_field(question)

    @staticmethod
    def question_field_name(question):
        return f"question_{question.pk}"

    def _question_field(self, question):
        required = question.required
        messages = {"required": f"Answer the question: {question.label}"}
        if question.kind == EventQuestion.Kind.TEXT:
            return MultiLineField(
                label=question.label,
                help_text=question.help_text,
                required=required,
                max_length=1000,
                widget=forms.Textarea(attrs={"rows": 3}),
                error_messages=messages
                | {"max_length": "Your answer must be 1,000 characters or fewer"},
            )
        choices = (
            [("yes", "Yes"), ("no", "No")]
            if question.kind == EventQuestion.Kind.YES_NO
            else [(c, c) for c in question.choice_list]
        )
        return forms.ChoiceField(
            label=question.label,
            help_text=question.help_text,
            required=required,
            choices=choices,
            widget=forms.RadioSelect,
            error_messages=messages | {"invalid_choice": f"Choose an answer to: {question.label}"},
        )

    def question_fields(self):
        return [self[self.question_field_name(q)] for q in self.questions]

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if self.event.access == EventPage.Access.POLICE and not is_police_email(email):
            raise ValidationError(
                "Enter your police email address, like name@force.police.uk: this event is "
                "for police officers and staff"
            )
        # Whether the address is already registered is never said here: attendance is
        # sensitive, and whoever fills in the form may not own the address (views.register).
        return email

    def clean_organisation_other(self):
        typed = self.cleaned_data["organisation_other"]
        if "organisation" not in self.cleaned_data:
            return typed  # not one of the choices: its own error says so
        chosen = self.cleaned_data["organisation"]
        if chosen is not None and chosen != OrganisationChoiceField.OTHER:
            return ""  # a listed organisation: no name needed, and none is kept
        if typed:
            return typed
        if chosen is None:
            self.add_error("organisation", ValidationError("Choose your organisation", "required"))
            return typed
        raise ValidationError("Enter the name of your organisation", code="required")

    def clean(self):
        cleaned = super().clean()
        if not self.event.accepts_registrations:
            status = self.event.registration_status
            if status == "not-yet":
                message = "Registration for this event has not opened yet"
            elif status == "cancelled":
                message = "This event has been cancelled"
            else:
                message = "Registration for this event has closed"
            raise ValidationError(message, code="window")
        return cleaned

    def registration_fields(self):
        """The cleaned values as Registration fields; answers keep the question's wording."""
        data = self.cleaned_data
        answers = []
        for question in self.questions:
            value = data.get(self.question_field_name(question)) or ""
            answers.append({"question": question.label, "answer": value})
        return {
            "name": data["name"],
            "email": data.get("email"),
            "organisation": None if data["organisation_other"] else data["organisation"],
            "organisation_other": data["organisation_other"],
            "role": data["role"],
            "role_audience": None,
            "consent_to_contact": data["consent_to_contact"],
            "answers": answers,
        }


class RegistrationChangeForm(RegistrationForm):
    """What a registrant may change from their own page: every answer the registration form
    asked for, with its checks, except the email address (their signed link is theirs by it)
    and the registration window (changing answers is not registering)."""

    def __init__(self, registration, *args, **kwargs):
        kwargs.setdefault("initial", self.answers_of(registration))
        super().__init__(registration.event, *args, **kwargs)
        del self.fields["email"]
        self.registration = registration

    def answers_of(self, registration):
        initial = {
            "name": registration.name,
            "organisation": registration.organisation_id
            or (OrganisationChoiceField.OTHER if registration.organisation_other else None),
            "organisation_other": registration.organisation_other,
            "role": registration.role_id,
            "consent_to_contact": registration.consent_to_contact,
        }
        given = {item["question"]: item["answer"] for item in registration.answers or []}
        for question in registration.event.questions.all():
            if question.label in given:
                initial[self.question_field_name(question)] = given[question.label]
        return initial

    def clean(self):
        return forms.Form.clean(self)

    def registration_fields(self):
        fields = super().registration_fields()
        del fields["email"]
        return fields

    def save(self):
        """Store the changed answers; the seat, status and place on the waitlist stay."""
        fields = self.registration_fields()
        Registration.objects.filter(pk=self.registration.pk).update(**fields)
        for name, value in fields.items():
            setattr(self.registration, name, value)
        return self.registration


class FeedbackForm(forms.ModelForm):
    usefulness = forms.TypedChoiceField(
        coerce=int,
        choices=Feedback.USEFULNESS,
        widget=forms.RadioSelect,
        label="How useful was the event for your work?",
        error_messages={"required": "Choose how useful the event was"},
    )
    will_change = MultiLineField(
        required=False,
        max_length=2000,
        label="What will you do differently because of it?",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": "Your answer must be 2,000 characters or fewer"},
    )
    comments = MultiLineField(
        required=False,
        max_length=2000,
        label="Anything else you would like to tell the NCPI team?",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": "Your answer must be 2,000 characters or fewer"},
    )

    class Meta:
        model = Feedback
        fields = ["usefulness", "will_change", "comments"]
