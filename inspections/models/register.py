"""The register of recommendations: what each report asked of a force, and how it is going."""

import datetime as dt

from django import forms
from django.conf import settings
from django.db import models
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel

# A force has six weeks from publication to send its action plan, unless the report says otherwise.
ACTION_PLAN_WEEKS = 6


def long_open_days():
    return getattr(settings, "INSPECTIONS_LONG_OPEN_DAYS", 365)


class Status(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in-progress", "In progress"
    COMPLETED = "completed", "Completed"
    SUPERSEDED = "superseded", "Superseded"


UNRESOLVED = [Status.OPEN, Status.IN_PROGRESS]


class RecommendationQuerySet(models.QuerySet):
    def unresolved(self):
        return self.filter(status__in=UNRESOLVED)

    def overdue(self, today=None):
        return self.unresolved().filter(due_date__lt=today or dt.date.today())

    def long_open(self, today=None):
        since = (today or dt.date.today()) - dt.timedelta(days=long_open_days())
        return self.unresolved().filter(report__published_date__lt=since)

    def for_listing(self):
        return self.select_related("report", "report__force", "criterion", "owner").order_by(
            "-report__published_date", "report_id", "pk"
        )


class Recommendation(ClusterableModel):
    """One recommendation of a report. Its status is the latest entry of its history, kept on
    the row as well so the register can filter and count by it without reading the history."""

    external_id = models.CharField(
        max_length=64,
        unique=True,
        null=True,
        blank=True,
        help_text="Identifier from the import file; keeps re-imports from duplicating rows.",
    )
    report = models.ForeignKey(
        "inspections.InspectionReportPage",
        on_delete=models.CASCADE,
        related_name="recommendations",
    )
    reference = models.CharField(
        max_length=20, blank=True, help_text='As numbered in the report, e.g. "R3".'
    )
    text = models.TextField(help_text="The recommendation, as worded in the report.")
    criterion = models.ForeignKey(
        "taxonomy.Criterion", on_delete=models.PROTECT, related_name="recommendations"
    )
    owner = models.ForeignKey(
        "taxonomy.Organisation",
        on_delete=models.PROTECT,
        related_name="recommendations",
        help_text="Who must act on it: the inspected force or another organisation.",
    )
    action_plan_date = models.DateField(
        blank=True,
        help_text=f"When the action plan is due. Left empty: {ACTION_PLAN_WEEKS} weeks after "
        "the report was published.",
    )
    due_date = models.DateField(null=True, blank=True, db_index=True)
    status = models.CharField(
        max_length=16,
        choices=Status.choices,
        default=Status.OPEN,
        editable=False,
        help_text="The latest status in the history.",
    )
    status_date = models.DateField(null=True, blank=True, editable=False)
    answering_practice = ParentalManyToManyField(
        "practice.PracticePage",
        blank=True,
        related_name="answers_recommendations",
        help_text="Practice from other forces that shows how this recommendation can be met.",
    )

    objects = RecommendationQuerySet.as_manager()

    panels = [
        FieldPanel("report"),
        FieldRowPanel([FieldPanel("reference"), FieldPanel("criterion")]),
        FieldPanel("text"),
        FieldPanel("owner"),
        FieldRowPanel([FieldPanel("action_plan_date"), FieldPanel("due_date")]),
        MultiFieldPanel(
            [InlinePanel("status_changes", label="Status change")],
            heading="Status history",
        ),
        FieldPanel("answering_practice", widget=forms.CheckboxSelectMultiple),
        FieldPanel("external_id", read_only=True),
    ]

    class Meta:
        ordering = ["pk"]
        # The register filters by status and year, and flags overdue items by due date.
        indexes = [models.Index(fields=["status", "due_date"])]

    def __str__(self):
        label = f"{self.reference}: " if self.reference else ""
        return f"{label}{self.text[:80]}"

    def save(self, *args, **kwargs):
        if self.action_plan_date is None and self.report_id:
            self.action_plan_date = self.report.published_date + dt.timedelta(
                weeks=ACTION_PLAN_WEEKS
            )
        self.refresh_status()
        super().save(*args, **kwargs)

    def refresh_status(self):
        """Take the status from the latest change in the history (unsaved admin rows included)."""
        changes = [change for change in self.status_changes.all() if change.status]
        if changes:
            latest = max(changes, key=lambda c: (c.changed_on, c.pk or 0))
            self.status, self.status_date = latest.status, latest.changed_on
        else:
            self.status, self.status_date = Status.OPEN, None

    @property
    def is_unresolved(self):
        return self.status in UNRESOLVED

    @property
    def is_overdue(self):
        return bool(self.is_unresolved and self.due_date and self.due_date < dt.date.today())

    @property
    def is_long_open(self):
        limit = dt.date.today() - dt.timedelta(days=long_open_days())
        return self.is_unresolved and self.report.published_date < limit

    def flags(self):
        flags = []
        if self.is_overdue:
            flags.append("Overdue")
        if self.is_long_open:
            flags.append(f"Open over {long_open_days()} days")
        return flags


class RecommendationStatusChange(models.Model):
    """One step in a recommendation's history: who said what happened, when, with evidence."""

    recommendation = ParentalKey(
        Recommendation, on_delete=models.CASCADE, related_name="status_changes"
    )
    status = models.CharField(max_length=16, choices=Status.choices)
    changed_on = models.DateField(default=dt.date.today)
    changed_by = models.CharField(
        max_length=200,
        verbose_name="who",
        help_text='Who reported or decided the change, e.g. "Force action plan lead".',
    )
    note = models.TextField(blank=True)
    evidence_url = models.URLField(blank=True, verbose_name="evidence link")

    panels = [
        FieldRowPanel([FieldPanel("status"), FieldPanel("changed_on")]),
        FieldPanel("changed_by"),
        FieldPanel("note"),
        FieldPanel("evidence_url"),
    ]

    class Meta:
        ordering = ["changed_on", "pk"]
        verbose_name = "status change"

    def __str__(self):
        return f"{self.get_status_display()} on {self.changed_on:%-d %b %Y}"
