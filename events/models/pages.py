"""Learning events run by the NCPI team, and their listing."""

import datetime as dt
import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page, PageManager
from wagtail.query import PageQuerySet
from wagtail.search import index

from portal.listing import ListingPageMixin

from ..blocks import ResourcesBlock
from .questions import EventPageForm
from .registering import RegistrationRoutesMixin

# Statuses that hold one of the event's seats: an open offer keeps the seat for its holder.
SEAT_HOLDING = ("confirmed", "offered")


class EventPageQuerySet(PageQuerySet):
    def upcoming(self):
        return self.filter(end__gte=timezone.now()).order_by("start")

    def past(self):
        return self.filter(end__lt=timezone.now()).order_by("-start")

    def with_seats_taken(self):
        """Annotate `seats_taken` with one subquery, so listings need no query per event.

        A subquery rather than Count() over a join, which the listing's many-to-many filters
        would multiply."""
        from .registrations import Registration

        taken = (
            Registration.objects.filter(event=OuterRef("pk"), status__in=SEAT_HOLDING)
            .order_by()
            .values("event")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return self.annotate(seats_taken=Coalesce(Subquery(taken, output_field=IntegerField()), 0))


EventPageManager = PageManager.from_queryset(EventPageQuerySet)


class EventIndexPage(ListingPageMixin, Page):
    """Upcoming and past events, filterable by criterion, theme, audience, region and format."""

    introduction = models.TextField(blank=True)

    content_panels = Page.content_panels + [FieldPanel("introduction")]
    parent_page_types = ["portal.HomePage"]
    subpage_types = ["events.EventPage"]
    max_count = 1

    listed_model = "events.EventPage"
    filter_form_class = "events.forms.EventFilterForm"

    def listing_options(self, request):
        # Anything but "past" lists upcoming events, as the "Upcoming events" link does.
        return {"show_past": request.GET.get("when") == "past"}

    def arrange_listing(self, listed, options):
        listed = (
            listed.select_related("format", "region")
            .prefetch_related("criteria", "themes", "audiences")
            .with_seats_taken()
        )
        return listed.past() if options["show_past"] else listed.upcoming()

    def route(self, request, path_components):
        """An event's page in one query, with what its page and registration always read
        (Wagtail's own routing fetches the page, then its specific row, then each of these).
        Every child is an EventPage (subpage_types)."""
        if not path_components:
            return super().route(request, path_components)
        event = (
            EventPage.objects.child_of(self)
            .filter(slug=path_components[0])
            .select_related("format", "region")
            .first()
        )
        if event is None:
            return super().route(request, path_components)
        event._cached_parent_obj = self
        return event.route(request, path_components[1:])


class EventPage(RegistrationRoutesMixin, Page):
    """A learning event: webinar, regional day or conference."""

    class Access(models.TextChoices):
        OPEN = "open", "Open to everyone"
        POLICE = "police", "Police email addresses only"
        APPROVAL = "approval", "Every registration needs the NCPI team's approval"

    external_id = models.CharField(
        max_length=64,
        unique=True,
        null=True,
        blank=True,
        help_text="Identifier from the import file; keeps re-imports from duplicating pages.",
    )
    calendar_uid = models.UUIDField(
        default=uuid.uuid4,
        unique=True,
        editable=False,
        help_text="The event's UID in every calendar file: the same for the event's life.",
    )
    summary = models.TextField()
    description = RichTextField(features=["h3", "bold", "italic", "link", "ol", "ul"])
    start = models.DateTimeField(db_index=True, help_text="Entered and shown in UK time.")
    end = models.DateTimeField(db_index=True)
    format = models.ForeignKey("taxonomy.EventFormat", on_delete=models.PROTECT)
    venue = models.TextField(blank=True, help_text="Address, for in-person and hybrid events.")
    joining_url = models.URLField(
        blank=True,
        validators=[URLValidator(schemes=["https"])],
        help_text="Online and hybrid events: the link to join (https). Private: shown only to "
        "confirmed registrants, in their emails, calendar invitations and own page.",
    )
    joining_instructions = RichTextField(
        blank=True,
        features=["bold", "italic", "link", "ol", "ul"],
        help_text="Meeting ID, passcode, dial-in numbers and anything else confirmed registrants "
        "need to join. Private, like the link.",
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
    access = models.CharField(
        max_length=16,
        choices=Access.choices,
        default=Access.OPEN,
        help_text="Who can register. Police email domains are set on each force's organisation.",
    )
    offer_hours = models.PositiveSmallIntegerField(
        default=48,
        help_text="How long someone on the waitlist has to accept a freed seat before it "
        "passes to the next person.",
    )
    cancelled = models.BooleanField(
        default=False,
        help_text="Cancel the event: registrants are emailed and calendars updated on publish.",
    )
    resources = StreamField(
        ResourcesBlock(),
        blank=True,
        help_text="Slides, documents and recording links: shown on the page and in follow-ups.",
    )

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
                FieldPanel("joining_url"),
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
                FieldPanel("access"),
                FieldPanel("offer_hours"),
                FieldPanel("cancelled"),
            ],
            heading="Registration",
        ),
        InlinePanel(
            "questions",
            label="Registration question",
            heading="Questions for registrants",
            help_text="Asked of everyone who registers, after their name, email and role.",
        ),
        FieldPanel("resources"),
        FieldPanel("external_id", read_only=True),
    ]
    base_form_class = EventPageForm

    parent_page_types = ["events.EventIndexPage"]
    subpage_types = []
    # A copy is another event: it gets a UID of its own.
    exclude_fields_in_copy = ["calendar_uid"]

    class Meta:
        verbose_name = "event"
        indexes = [models.Index(fields=["start", "end"])]

    def get_context(self, request, *args, **kwargs):
        from accounts.prefill import initial_for

        from .. import calendar
        from ..forms import RegistrationForm

        context = super().get_context(request, *args, **kwargs)
        context["listing"] = self.get_parent().specific
        context["seats_left"] = self.seats_left()
        context["google_calendar_url"] = calendar.google_calendar_url(self)
        context["outlook_calendar_url"] = calendar.outlook_calendar_url(self)
        # A refused registration (window closed meanwhile) comes back with its errors.
        form = kwargs.get("registration_form")
        if form is None and self.accepts_registrations:
            form = RegistrationForm(self, initial=initial_for(getattr(request, "user", None)))
        context["registration_form"] = form
        return context

    def with_content_json(self, content):
        # Publishing an older revision (or one saved before calendar_uid existed) must not
        # change the UID that registrants' calendars know the event by.
        page = super().with_content_json(content)
        page.calendar_uid = self.calendar_uid
        return page

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
        if self.format_id and not self.is_online and self.joining_url:
            errors["joining_url"] = "A joining link is for online and hybrid events only."
        if errors:
            raise ValidationError(errors)

    @property
    def is_past(self):
        return self.end < timezone.now()

    @property
    def is_online(self):
        """Online and hybrid events: people join through a link, sent when they are booked."""
        return self.format.slug in ("online", "hybrid")

    @property
    def has_joining_details(self):
        return bool(self.joining_url or self.joining_instructions)

    @property
    def registration_status(self):
        """ "not-yet", "open", "closed" or "cancelled", judged in UK time."""
        today = timezone.localdate()
        if self.cancelled:
            return "cancelled"
        if self.is_past or (self.registration_closes and today > self.registration_closes):
            return "closed"
        if self.registration_opens and today < self.registration_opens:
            return "not-yet"
        return "open"

    @property
    def accepts_registrations(self):
        return self.registration_status == "open"

    def seats_left(self):
        """Seats not yet confirmed or offered; None when the event has no limit. Listings
        annotate `seats_taken` (EventPageQuerySet.with_seats_taken) to save a query each."""
        if self.capacity is None:
            return None
        taken = getattr(self, "seats_taken", None)
        if taken is None:
            taken = self.registrations.filter(status__in=SEAT_HOLDING).count()
        return max(self.capacity - taken, 0)

    @property
    def offer_period(self):
        return dt.timedelta(hours=self.offer_hours)
