"""Learning events run by the NCPI team, and their listing."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.utils import timezone
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page, PageManager
from wagtail.query import PageQuerySet
from wagtail.search import index

EVENTS_PER_PAGE = 20


class EventPageQuerySet(PageQuerySet):
    def upcoming(self):
        return self.filter(end__gte=timezone.now()).order_by("start")

    def past(self):
        return self.filter(end__lt=timezone.now()).order_by("-start")


EventPageManager = PageManager.from_queryset(EventPageQuerySet)


class EventIndexPage(Page):
    """Upcoming and past events, filterable by criterion, theme, audience, region and format."""

    introduction = models.TextField(blank=True)

    content_panels = Page.content_panels + [FieldPanel("introduction")]
    parent_page_types = ["portal.HomePage"]
    subpage_types = ["events.EventPage"]
    max_count = 1

    def get_context(self, request, *args, **kwargs):
        from .forms import EventFilterForm

        context = super().get_context(request, *args, **kwargs)
        form = EventFilterForm(request.GET or None)
        events = (
            EventPage.objects.live()
            .public()
            .descendant_of(self)
            .select_related("format", "region")
            .prefetch_related("criteria", "themes", "audiences")
        )
        show_past = request.GET.get("when") == "past"
        events = events.past() if show_past else events.upcoming()
        if form.is_valid():
            events = form.filter(events)
        context["filter_form"] = form
        context["show_past"] = show_past
        context["page_obj"] = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
        return context


class EventPage(Page):
    """A learning event: webinar, regional day or conference."""

    external_id = models.CharField(
        max_length=64,
        unique=True,
        null=True,
        blank=True,
        help_text="Identifier from the import file; keeps re-imports from duplicating pages.",
    )
    summary = models.TextField()
    description = RichTextField(features=["h3", "bold", "italic", "link", "ol", "ul"])
    start = models.DateTimeField(db_index=True, help_text="Entered and shown in UK time.")
    end = models.DateTimeField(db_index=True)
    format = models.ForeignKey("taxonomy.EventFormat", on_delete=models.PROTECT)
    venue = models.TextField(blank=True, help_text="Address, for in-person and hybrid events.")
    joining_instructions = RichTextField(
        blank=True,
        features=["bold", "italic", "link", "ol", "ul"],
        help_text="Joining link and private instructions: shown only to confirmed registrants.",
    )
    region = models.ForeignKey("taxonomy.Region", on_delete=models.PROTECT)
    criteria = ParentalManyToManyField("taxonomy.Criterion", blank=True, related_name="events")
    themes = ParentalManyToManyField("taxonomy.Theme", blank=True, related_name="events")
    audiences = ParentalManyToManyField("taxonomy.Audience", blank=True, related_name="events")
    capacity = models.PositiveIntegerField(
        null=True, blank=True, help_text="Seats available; leave empty for no limit."
    )
    registration_opens = models.DateField(null=True, blank=True)
    registration_closes = models.DateField(null=True, blank=True)

    objects = EventPageManager()

    search_fields = Page.search_fields + [
        index.SearchField("summary", boost=2),
        index.SearchField("description"),
        index.FilterField("start"),
        index.FilterField("end"),
    ]

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("description"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("start"), FieldPanel("end")]),
                FieldPanel("format"),
                FieldPanel("venue"),
                FieldPanel("joining_instructions"),
                FieldPanel("region"),
            ],
            heading="When and where",
        ),
        MultiFieldPanel(
            [
                FieldPanel("criteria", widget=forms.CheckboxSelectMultiple),
                FieldPanel("themes", widget=forms.CheckboxSelectMultiple),
                FieldPanel("audiences", widget=forms.CheckboxSelectMultiple),
            ],
            heading="Tags",
        ),
        MultiFieldPanel(
            [
                FieldPanel("capacity"),
                FieldRowPanel(
                    [FieldPanel("registration_opens"), FieldPanel("registration_closes")]
                ),
            ],
            heading="Registration",
        ),
        FieldPanel("external_id", read_only=True),
    ]

    parent_page_types = ["events.EventIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = "event"
        indexes = [models.Index(fields=["start", "end"])]

    def clean(self):
        super().clean()
        errors = {}
        if self.start and self.end and self.end <= self.start:
            errors["end"] = "The event must end after it starts."
        if (
            self.registration_opens
            and self.registration_closes
            and self.registration_closes < self.registration_opens
        ):
            errors["registration_closes"] = "Registration must close after it opens."
        if errors:
            raise ValidationError(errors)

    @property
    def is_past(self):
        return self.end < timezone.now()

    @property
    def registration_status(self):
        """ "not-yet", "open" or "closed", judged in UK time."""
        today = timezone.localdate()
        if self.is_past or (self.registration_closes and today > self.registration_closes):
            return "closed"
        if self.registration_opens and today < self.registration_opens:
            return "not-yet"
        return "open"
