"""Inspection reports as pages, with their findings grouped by NCPI criterion."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import models
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable, Page

from .programmes import Programme

REPORTS_PER_PAGE = 20


class InspectionIndexPage(Page):
    """Lists published inspection reports and the pages explaining each programme."""

    introduction = models.TextField(blank=True)

    content_panels = Page.content_panels + [FieldPanel("introduction")]
    parent_page_types = ["portal.HomePage"]
    subpage_types = ["inspections.InspectionReportPage", "inspections.ProgrammePage"]
    max_count = 1

    def get_context(self, request, *args, **kwargs):
        from .programmes import ProgrammePage

        context = super().get_context(request, *args, **kwargs)
        reports = (
            InspectionReportPage.objects.live()
            .public()
            .descendant_of(self)
            .select_related("force")
            .order_by("-published_date", "-pk")
        )
        context["page_obj"] = Paginator(reports, REPORTS_PER_PAGE).get_page(
            request.GET.get("page")
        )
        context["programme_pages"] = (
            ProgrammePage.objects.live().public().child_of(self).order_by("path")
        )
        return context


class InspectionReportPage(Page):
    """A published inspection of one force: what was found, per criterion, and the full report."""

    external_id = models.CharField(
        max_length=64,
        unique=True,
        null=True,
        blank=True,
        help_text="Identifier from the import file; keeps re-imports from duplicating pages.",
    )
    force = models.ForeignKey(
        "taxonomy.Organisation",
        on_delete=models.PROTECT,
        related_name="inspection_reports",
        limit_choices_to={"kind": "force"},
    )
    programme = models.CharField(max_length=32, choices=Programme.choices, db_index=True)
    fieldwork_start = models.DateField(null=True, blank=True)
    fieldwork_end = models.DateField(null=True, blank=True)
    published_date = models.DateField(db_index=True, help_text="When the report was published.")
    summary = models.TextField(help_text="The main messages of the report, in a short paragraph.")
    notable_practice = ParentalManyToManyField(
        "practice.PracticePage",
        blank=True,
        related_name="found_in_reports",
        help_text="Notable practice the inspection found at this force.",
    )
    report_document = models.ForeignKey(
        "wagtaildocs.Document",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    report_url = models.URLField(blank=True, help_text="Where the full report is published.")

    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [
                FieldPanel("force"),
                FieldPanel("programme"),
                FieldRowPanel([FieldPanel("fieldwork_start"), FieldPanel("fieldwork_end")]),
                FieldPanel("published_date"),
            ],
            heading="Which inspection",
        ),
        FieldPanel("summary"),
        InlinePanel("findings", label="Findings"),
        FieldPanel("notable_practice", widget=forms.CheckboxSelectMultiple),
        MultiFieldPanel(
            [FieldPanel("report_document"), FieldPanel("report_url")], heading="Full report"
        ),
        FieldPanel("external_id", read_only=True),
    ]
    parent_page_types = ["inspections.InspectionIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = "inspection report"
        indexes = [models.Index(fields=["force", "published_date"])]

    def clean(self):
        super().clean()
        if (
            self.fieldwork_start
            and self.fieldwork_end
            and self.fieldwork_end < self.fieldwork_start
        ):
            raise ValidationError({"fieldwork_end": "Fieldwork must end on or after its start."})

    def findings_by_criterion(self):
        """[(criterion, {kind label: [findings]})] in criterion order, for the page."""
        rank = {kind: number for number, kind in enumerate(Finding.Kind.values)}
        findings = sorted(
            self.findings.select_related("criterion"),
            key=lambda f: (
                f.criterion.sort_order,
                f.criterion.name,
                rank[f.kind],
                f.sort_order or 0,
            ),
        )
        grouped = {}
        for finding in findings:
            kinds = grouped.setdefault(finding.criterion, {})
            kinds.setdefault(finding.get_kind_display(), []).append(finding)
        return list(grouped.items())

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["index"] = self.get_parent().specific
        context["findings"] = self.findings_by_criterion()
        context["recommendations"] = self.recommendations.select_related(
            "criterion", "owner"
        ).order_by("pk")
        context["practice_found"] = (
            self.notable_practice.live().public().select_related("force").order_by("title")
        )
        return context


class Finding(Orderable):
    """One finding of a report about one criterion."""

    class Kind(models.TextChoices):
        # Declared in the order the page shows them: strengths first, causes of concern last.
        STRENGTH = "strength", "Strength"
        AREA_FOR_IMPROVEMENT = "area-for-improvement", "Area for improvement"
        CAUSE_OF_CONCERN = "cause-of-concern", "Cause of concern"

    page = ParentalKey(InspectionReportPage, on_delete=models.CASCADE, related_name="findings")
    criterion = models.ForeignKey("taxonomy.Criterion", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    text = models.TextField()

    panels = [FieldPanel("criterion"), FieldPanel("kind"), FieldPanel("text")]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.text[:60]}"
