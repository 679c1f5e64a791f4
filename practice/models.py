"""Notable-practice case studies and their listing."""

from django import forms
from django.contrib import messages
from django.db import models, transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from portal import outbox
from portal.links import page_url
from portal.listing import ListingPageMixin
from portal.ratelimits import is_ratelimited

from .blocks import AdoptionStepsBlock

# Enough for a genuine enquirer to correct a typo; too few for a spammer.
CONTACT_RATE = "5/h"
RICH_TEXT_FEATURES = ["h3", "bold", "italic", "link", "ol", "ul", "document-link"]


class PracticeIndexPage(ListingPageMixin, Page):
    """Lists published case studies, filtered by criterion, theme, audience and force."""

    introduction = models.TextField(blank=True)

    content_panels = Page.content_panels + [FieldPanel("introduction")]
    parent_page_types = ["portal.HomePage"]
    subpage_types = ["practice.PracticePage"]
    max_count = 1

    listed_model = "practice.PracticePage"
    filter_form_class = "practice.forms.PracticeFilterForm"

    def serve(self, request, *args, **kwargs):
        # Words are searched for by search, with the same filters: one finder.
        if request.GET.get("q", "").strip():
            from django.shortcuts import redirect
            from django.urls import reverse

            return redirect(f"{reverse('search:search')}?{request.GET.urlencode()}")
        return super().serve(request, *args, **kwargs)

    def listing_options(self, request):
        from . import finder

        try:
            return {"sort": finder.clean_sort(request.GET.get("sort"))}
        except finder.InvalidSort as error:
            return {"sort": "newest", "sort_error": str(error)}

    def arrange_listing(self, listed, options):
        from . import finder

        return finder.sorted_practice(
            listed.select_related("force", "evidence_level"), options["sort"]
        )

    def listing_context(self, request, form, visible, page_obj, options):
        # The same finder as search's, counted in the database (practice.finder).
        from . import finder

        return {"finder": finder.listing(self.url, form, visible, options["sort"], page_obj)}


class PracticePage(RoutablePageMixin, Page):
    """A notable-practice case study: the problem, what a force did, what happened, how to
    adopt it. Failures are worth sharing too, so the outcome can be "didn't work"."""

    class Outcome(models.TextChoices):
        WORKED = "worked", "Worked"
        PROMISING = "promising", "Promising"
        DID_NOT_WORK = "did-not-work", "Didn't work"

    class Stage(models.TextChoices):
        UNTESTED = "untested", "Untested"
        EVALUATED_LOCALLY = "evaluated-locally", "Evaluated locally"
        INDEPENDENTLY_EVALUATED = "independently-evaluated", "Independently evaluated"

    class RecognisedBy(models.TextChoices):
        NCPI_INSPECTION = "ncpi-inspection", "Identified in an NCPI inspection"
        NCPI_REVIEW = "ncpi-post-inspection-review", "Identified in an NCPI post-inspection review"
        OTHER_INSPECTION = "other-inspection", "Identified in another inspection (PEEL, JTAI)"
        SELF_ASSESSMENT = "self-assessment", "Force self-assessment"
        PEER_REVIEW = "peer-review", "Peer review"
        NOT_RECOGNISED = "", "Not formally recognised"

    external_id = models.CharField(
        max_length=64,
        unique=True,
        null=True,
        blank=True,
        help_text="Identifier from the import file; keeps re-imports from duplicating pages.",
    )
    summary = models.TextField(
        help_text="Two or three sentences: what the practice is and why it matters."
    )
    published_date = models.DateField(default=timezone.localdate, db_index=True)
    force = models.ForeignKey(
        "taxonomy.Organisation", on_delete=models.PROTECT, related_name="practice"
    )
    partners = ParentalManyToManyField(
        "taxonomy.Organisation", blank=True, related_name="partner_practice"
    )
    criteria = ParentalManyToManyField("taxonomy.Criterion", related_name="practice")
    themes = ParentalManyToManyField("taxonomy.Theme", blank=True, related_name="practice")
    audiences = ParentalManyToManyField("taxonomy.Audience", blank=True, related_name="practice")

    problem = RichTextField(features=RICH_TEXT_FEATURES, help_text="What was wrong, and for whom.")
    approach = RichTextField(features=RICH_TEXT_FEATURES, help_text="What the force did.")
    outcomes = RichTextField(features=RICH_TEXT_FEATURES, help_text="What changed, with numbers.")

    implementation = RichTextField(
        features=RICH_TEXT_FEATURES, blank=True, help_text="How another force could adopt it."
    )
    adoption_steps = StreamField(AdoptionStepsBlock(), blank=True, use_json_field=True)
    adoption_people = models.TextField(blank=True, help_text="Who needs to be involved.")
    adoption_cost = models.TextField(blank=True, help_text="Money, staff time and systems needed.")
    adoption_pitfalls = RichTextField(features=RICH_TEXT_FEATURES, blank=True)

    evidence_level = models.ForeignKey(
        "taxonomy.EvidenceLevel", null=True, blank=True, on_delete=models.SET_NULL
    )
    outcome = models.CharField(
        max_length=32, choices=Outcome.choices, default=Outcome.PROMISING, db_index=True
    )
    stage = models.CharField(
        max_length=32, choices=Stage.choices, default=Stage.UNTESTED, db_index=True
    )
    recognised_by = models.CharField(
        max_length=64, choices=RecognisedBy.choices, blank=True, db_index=True
    )
    source = models.CharField(
        max_length=255, blank=True, help_text='Where it was found, e.g. "NCPI inspection 2019".'
    )
    contact_role = models.CharField(
        max_length=255, blank=True, help_text="The role to contact, shown publicly (never a name)."
    )
    contact_email = models.EmailField(
        blank=True,
        help_text=(
            "Where messages from the contact form are relayed. Never shown on the site; if empty, "
            "messages go to the NCPI team."
        ),
    )

    search_fields = Page.search_fields + [
        index.SearchField("summary", boost=2),
        index.SearchField("problem"),
        index.SearchField("approach"),
        index.SearchField("outcomes"),
        index.SearchField("implementation"),
        index.FilterField("published_date"),
        index.RelatedFields("force", [index.SearchField("name")]),
    ]

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        MultiFieldPanel(
            [
                FieldPanel("force"),
                FieldPanel("partners", widget=forms.CheckboxSelectMultiple),
                FieldPanel("published_date"),
            ],
            heading="Who and when",
        ),
        MultiFieldPanel(
            [
                FieldPanel("criteria", widget=forms.CheckboxSelectMultiple),
                FieldPanel("themes", widget=forms.CheckboxSelectMultiple),
                FieldPanel("audiences", widget=forms.CheckboxSelectMultiple),
            ],
            heading="Tags",
        ),
        FieldPanel("problem"),
        FieldPanel("approach"),
        FieldPanel("outcomes"),
        MultiFieldPanel(
            [
                FieldPanel("implementation"),
                FieldPanel("adoption_steps"),
                FieldPanel("adoption_people"),
                FieldPanel("adoption_cost"),
                FieldPanel("adoption_pitfalls"),
            ],
            heading="How to adopt it",
        ),
        MultiFieldPanel(
            [
                FieldPanel("evidence_level"),
                FieldPanel("outcome"),
                FieldPanel("stage"),
                FieldPanel("recognised_by"),
                FieldPanel("source"),
            ],
            heading="Evidence",
        ),
        MultiFieldPanel(
            [FieldPanel("contact_role"), FieldPanel("contact_email")], heading="Contact"
        ),
        InlinePanel("attachments", label="Attachments"),
        FieldPanel("external_id", read_only=True),
    ]

    parent_page_types = ["practice.PracticeIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = "practice case study"
        verbose_name_plural = "practice case studies"
        indexes = [models.Index(fields=["force", "published_date"])]

    def get_context(self, request, *args, **kwargs):
        from accounts.prefill import initial_for

        from .forms import ContactOriginatorForm

        context = super().get_context(request, *args, **kwargs)
        context["contact_form"] = kwargs.get("contact_form") or ContactOriginatorForm(
            initial=initial_for(getattr(request, "user", None), organisation_as="name")
        )
        context["listing"] = self.get_parent().specific
        context["share_url"] = page_url(self)
        return context

    @path("")
    def case_study(self, request):
        """The case study; its contact form posts back here."""
        if request.method == "POST":
            return self.contact_originator(request)
        return self.render(request)

    def contact_originator(self, request):
        """Relay a message to the practice's originator without showing anyone's address."""
        from .forms import ContactOriginatorForm
        from .tasks import relay_contact_message

        form = ContactOriginatorForm(request.POST)
        if not form.is_valid():
            context = self.get_context(request, contact_form=form)
            return TemplateResponse(request, self.get_template(request), context, status=400)
        # Only messages that would be sent count, so correcting mistakes never locks anyone out.
        if is_ratelimited(
            request,
            group="practice-contact",
            key="ip",
            rate=CONTACT_RATE,
            method="POST",
            increment=True,
        ):
            return TemplateResponse(request, "429.html", status=429)
        with transaction.atomic():
            contact = ContactMessage.objects.create(page=self, **form.cleaned_data)
            outbox.send_after_commit(relay_contact_message, contact.pk)
        messages.success(
            request, "Your message has been sent. The originator will reply to you by email."
        )
        return redirect(self.url + "#contact")


class PracticeAttachment(Orderable):
    """A document that helps another force adopt the practice (protocol, template, evaluation)."""

    page = ParentalKey(PracticePage, on_delete=models.CASCADE, related_name="attachments")
    document = models.ForeignKey(
        "wagtaildocs.Document", on_delete=models.CASCADE, related_name="+"
    )
    title = models.CharField(
        max_length=255, blank=True, help_text="Defaults to the document's title."
    )

    panels = [FieldPanel("document"), FieldPanel("title")]

    def __str__(self):
        return self.title or self.document.title


class ContactMessage(models.Model):
    """A message to a practice's originator, relayed by email so nobody's address is shown.

    Stored so that nothing is lost if the mail server is down when it is sent, and deleted
    PRACTICE_CONTACT_MESSAGES_KEEP_DAYS after it was relayed (or, if it never could be, after
    it was written) by a beat task (practice.tasks.delete_old_contact_messages).
    """

    page = models.ForeignKey(
        PracticePage, on_delete=models.CASCADE, related_name="contact_messages"
    )
    name = models.CharField(max_length=200)
    email = models.EmailField()
    organisation = models.CharField(max_length=200)
    message = models.TextField(max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Message from {self.name} about {self.page.title}"
