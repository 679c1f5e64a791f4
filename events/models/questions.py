"""The questions the NCPI team asks everyone who registers for one event, and the admin form
that offers the usual ones on a new event."""

from django.core.exceptions import ValidationError
from django.db import models
from modelcluster.fields import ParentalKey
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel
from wagtail.models import Orderable


class EventQuestion(Orderable):
    """A question the NCPI team asks everyone who registers for one event."""

    class Kind(models.TextChoices):
        TEXT = "text", "Text answer"
        CHOICE = "choice", "Choose one option"
        YES_NO = "yes-no", "Yes or no"

    page = ParentalKey("events.EventPage", on_delete=models.CASCADE, related_name="questions")
    label = models.CharField(max_length=255, help_text="The question, as registrants see it.")
    help_text = models.CharField(max_length=255, blank=True)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.TEXT)
    choices = models.TextField(
        blank=True, help_text="For 'Choose one option': one option per line."
    )
    required = models.BooleanField(default=False)

    panels = [
        FieldPanel("label"),
        FieldPanel("help_text"),
        FieldPanel("kind"),
        FieldPanel("choices"),
        FieldPanel("required"),
    ]

    def __str__(self):
        return self.label

    @property
    def choice_list(self):
        return [line.strip() for line in self.choices.splitlines() if line.strip()]

    def clean(self):
        super().clean()
        if self.kind == self.Kind.CHOICE and len(self.choice_list) < 2:
            raise ValidationError({"choices": "Enter at least two options, one per line."})


class EventPageForm(WagtailAdminPageForm):
    """Offers the default registration questions (accessibility and dietary needs) on a new
    event, where the NCPI team can edit or remove them before publishing."""

    def __init__(self, *args, instance=None, **kwargs):
        if instance is not None and instance.pk is None and not kwargs.get("data"):
            if not instance.questions.exists():
                instance.questions = default_questions()
        super().__init__(*args, instance=instance, **kwargs)


def default_questions():
    return [
        EventQuestion(
            label="Do you have any access needs?",
            help_text="For example a hearing loop, step-free access or captions.",
            kind=EventQuestion.Kind.TEXT,
            required=False,
            sort_order=0,
        ),
        EventQuestion(
            label="Do you have any dietary needs?",
            help_text="For in-person events with food.",
            kind=EventQuestion.Kind.TEXT,
            required=False,
            sort_order=1,
        ),
    ]
