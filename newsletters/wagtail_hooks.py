from django.contrib import messages
from django.db.models import Count, Exists, OuterRef, Q
from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.ui.tables import Column
from wagtail.admin.widgets import ListingButton
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from . import admin_views, rendering
from .models import Delivery, Mailing, NewsletterIssue, Subscriber


def _delivery_count(status):
    return Count("mailings__deliveries", filter=Q(mailings__deliveries__status=status))


def _progress(issue):
    if issue.status == NewsletterIssue.Status.DRAFT:
        return "Not sent"
    if issue.status == NewsletterIssue.Status.SCHEDULED:
        return f"Scheduled for {issue.scheduled_at:%d %b %Y %H:%M}"
    counts = f"{issue.sent_count} sent, {issue.pending_count} pending, {issue.failed_count} failed"
    return f"Paused: {counts}" if issue.paused else counts


class NewsletterIssueViewSet(SnippetViewSet):
    model = NewsletterIssue
    icon = "mail"
    menu_label = "Issues"
    list_display = ["title", "status", Column("progress", label="Progress", accessor=_progress)]
    list_filter = ["status"]
    search_fields = ["title"]
    # Not in the search index: search the table directly.
    search_backend_name = None

    def get_queryset(self, request):
        # Counts for every row in one query: no N+1 on the listing.
        paused = Mailing.objects.filter(issue=OuterRef("pk"), paused_at__isnull=False)
        return NewsletterIssue.objects.annotate(
            paused=Exists(paused),
            sent_count=_delivery_count(Delivery.Status.SENT),
            pending_count=_delivery_count(Delivery.Status.PENDING),
            failed_count=_delivery_count(Delivery.Status.FAILED),
        )


class SubscriberViewSet(SnippetViewSet):
    model = Subscriber
    icon = "user"
    menu_label = "Subscribers"
    list_display = ["email", "organisation_type", "status", "confirmed_at"]
    list_filter = ["status", "organisation_type"]
    search_fields = ["email"]
    search_backend_name = None
    inspect_view_enabled = True


class NewslettersGroup(SnippetViewSetGroup):
    menu_label = "Newsletters"
    menu_icon = "mail"
    menu_order = 300
    items = (NewsletterIssueViewSet, SubscriberViewSet)


register_snippet(NewslettersGroup)


@hooks.register("register_admin_urls")
def register_newsletter_admin_urls():
    return [
        path(
            "newsletters/issues/<int:pk>/send/",
            admin_views.send_issue,
            name="newsletters_send_issue",
        ),
        path(
            "newsletters/mailings/paused/",
            admin_views.paused_mailings,
            name="newsletters_paused_mailings",
        ),
    ]


@hooks.register("register_snippet_listing_buttons")
def send_button(snippet, user, next_url=None):
    can_send = user.has_perm("newsletters.change_newsletterissue")
    if isinstance(snippet, NewsletterIssue) and can_send:
        yield ListingButton(
            "Send, test or see progress",
            url=reverse("newsletters_send_issue", args=[snippet.pk]),
            icon_name="mail",
            priority=10,
        )


@hooks.register("after_create_snippet")
@hooks.register("after_edit_snippet")
def warn_of_pages_subscribers_may_not_see(request, instance):
    """An issue goes to subscribers and the public archive: tell the editor at once which
    chosen pages those will leave out (restricted or not published)."""
    if not isinstance(instance, NewsletterIssue):
        return
    hidden = rendering.hidden_choices(instance)
    if hidden:
        listed = "; ".join(f"{title} ({why})" for title, why in hidden)
        messages.warning(
            request,
            f"Subscribers and the public archive will not see these pages: {listed}. "
            "They are left out of every copy.",
        )
