from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page

from .blocks import BaseStreamBlock
from .visibility import visible_to


class HomePage(Page):
    """Explains the NCPI programme and leads to practice, events and subscriptions."""

    introduction = models.TextField(
        blank=True, help_text="One or two sentences under the page title."
    )
    body = StreamField(BaseStreamBlock(), blank=True, use_json_field=True)

    content_panels = Page.content_panels + [FieldPanel("introduction"), FieldPanel("body")]
    max_count = 1
    parent_page_types = ["wagtailcore.Page"]

    def get_context(self, request, *args, **kwargs):
        # Imported here: those apps' pages sit below the home page and import from portal.
        from events.models import EventIndexPage, EventPage
        from practice.models import PracticeIndexPage, PracticePage

        context = super().get_context(request, *args, **kwargs)
        context["latest_practice"] = (
            visible_to(PracticePage.objects.all(), request.user)
            .select_related("force")
            .order_by("-published_date")[:3]
        )
        context["upcoming_events"] = (
            visible_to(EventPage.objects.all(), request.user)
            .upcoming()
            .select_related("format", "region")[:3]
        )
        context["practice_index"] = PracticeIndexPage.objects.live().first()
        context["events_index"] = EventIndexPage.objects.live().first()
        return context
