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


class OutboxMessage(models.Model):
    """A Celery task to run because of a change, recorded in the change's own transaction
    (portal.outbox): the change and its email commit together or not at all, and a task the
    broker never received (it was down, or the process died right after the commit) is
    published later by beat instead of being lost."""

    task = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    kwargs = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    # When a process last started publishing it: beat leaves it alone for a while after.
    attempted_at = models.DateTimeField(null=True, blank=True)
    # When the broker took it; from then on the broker and the task's own guards see it done.
    published_at = models.DateTimeField(null=True, blank=True)
    # When a task using portal.outbox.once finished it: a repeated delivery does nothing.
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["attempted_at"],
                condition=models.Q(published_at__isnull=True),
                name="portal_outbox_unpublished",
            )
        ]

    def __str__(self):
        return f"{self.task} {self.args}"
