"""The inspection programmes, the pages that explain them, and the calendar of planned activity."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail.fields import RichTextField
from wagtail.models import Page

RICH_TEXT_FEATURES = ["h3", "bold", "italic", "link", "ol", "ul", "document-link"]


class Programme(models.TextChoices):
    NCPI_INSPECTION = "ncpi-inspection", "NCPI inspection"
    NCPI_REVIEW = "ncpi-post-inspection-review", "NCPI post-inspection review"
    PEEL = "peel", "PEEL"
    JTAI = "jtai", "JTAI"
    OTHER = "other", "Other"


def activity_warning_weeks():
    # Read at call time, so tests and deployments can change it without a restart of the module.
    return getattr(settings, "INSPECTIONS_ACTIVITY_WARNING_WEEKS", 8)


class ProgrammePage(Page):
    """Explains one inspection programme: what it is for, what happens, what a force gets back."""

    programme = models.CharField(
        max_length=32,
        choices=Programme.choices,
        unique=True,
        help_text="Each programme has one page.",
    )
    summary = models.TextField(help_text="One or two sentences: what this programme is.")
    aims = RichTextField(features=RICH_TEXT_FEATURES, help_text="What the programme is for.")
    fieldwork = RichTextField(
        features=RICH_TEXT_FEATURES,
        help_text="What happens during fieldwork, and who is involved.",
    )
    outcome_for_force = RichTextField(
        features=RICH_TEXT_FEATURES,
        verbose_name="what a force gets back",
        help_text="The report, recommendations and follow-up a force can expect.",
    )

    content_panels = Page.content_panels + [
        FieldPanel("programme"),
        FieldPanel("summary"),
        FieldPanel("aims"),
        FieldPanel("fieldwork"),
        FieldPanel("outcome_for_force"),
    ]
    parent_page_types = ["inspections.InspectionIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = "inspection programme page"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["index"] = self.get_parent().specific
        return context


class InspectionActivityQuerySet(models.QuerySet):
    def near(self, activity, weeks=None):
        """Other programmes' activity at the same force within `weeks` of `activity`."""
        gap = dt.timedelta(weeks=activity_warning_weeks() if weeks is None else weeks)
        near = self.filter(
            force_id=activity.force_id,
            planned_start__lte=activity.planned_end + gap,
            planned_end__gte=activity.planned_start - gap,
        ).exclude(programme=activity.programme)
        if activity.pk:
            near = near.exclude(pk=activity.pk)
        return near.order_by("planned_start")


class InspectionActivity(models.Model):
    """Planned inspection activity at a force. Two programmes visiting one force close together
    burden the same staff twice, so the NCPI team is warned about activity that comes close.

    Kept in the admin only: some programmes (JTAI) are unannounced, so dates are never public."""

    force = models.ForeignKey(
        "taxonomy.Organisation",
        on_delete=models.CASCADE,
        related_name="inspection_activities",
        limit_choices_to={"kind": "force"},
    )
    programme = models.CharField(max_length=32, choices=Programme.choices)
    planned_start = models.DateField()
    planned_end = models.DateField()
    note = models.CharField(max_length=255, blank=True)

    objects = InspectionActivityQuerySet.as_manager()

    panels = [
        FieldPanel("force"),
        FieldPanel("programme"),
        FieldRowPanel([FieldPanel("planned_start"), FieldPanel("planned_end")]),
        FieldPanel("note"),
    ]

    class Meta:
        verbose_name = "inspection activity"
        verbose_name_plural = "inspection activities"
        ordering = ["planned_start"]
        # The clash check and the force calendar both look activity up by force and dates.
        indexes = [
            models.Index(fields=["force", "planned_start", "planned_end"]),
            models.Index(fields=["programme", "planned_end"]),
        ]

    def __str__(self):
        return (
            f"{self.get_programme_display()} at {self.force}, "
            f"{self.planned_start:%-d %b %Y} to {self.planned_end:%-d %b %Y}"
        )

    def clean(self):
        super().clean()
        if self.planned_start and self.planned_end and self.planned_end < self.planned_start:
            raise ValidationError(
                {"planned_end": "The planned end must be on or after the start."}
            )

    def nearby(self):
        return InspectionActivity.objects.near(self).select_related("force")

    def warning(self):
        """A sentence for the NCPI team when other programmes' activity comes close, or ""."""
        near = list(self.nearby())
        if not near:
            return ""
        listed = "; ".join(
            f"{a.get_programme_display()} ({a.planned_start:%-d %b %Y} to "
            f"{a.planned_end:%-d %b %Y})"
            for a in near
        )
        return (
            f"{self.force} has other inspection activity within {activity_warning_weeks()} "
            f"weeks of this {self.get_programme_display()}: {listed}."
        )
