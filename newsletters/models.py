"""Subscribers, their topics, newsletter issues, and the delivery rows that make sending exactly
once: one row per (mailing, subscriber), unique in the database, created before anything is
sent and marked the moment the mail server accepts its message."""

import secrets

from django.db import models
from django.utils import timezone
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import PreviewableMixin

from . import saved_searches
from .blocks import IssueBodyBlock


def new_token():
    return secrets.token_urlsafe(24)


class Subscriber(models.Model):
    """Someone who asked for email, identified only by their address: there is no account.

    `token` is mixed into every signed link, so rotating it (on erasure) kills old links."""

    class OrganisationType(models.TextChoices):
        FORCE = "force", "A police force"
        PARTNER = "partner", "A partner organisation"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for confirmation"
        ACTIVE = "active", "Active"
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"
        SUPPRESSED = "suppressed", "Suppressed (bounced or complained)"

    email = models.EmailField(unique=True)
    organisation_type = models.CharField(max_length=16, choices=OrganisationType.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    suppressed_reason = models.CharField(max_length=255, blank=True)
    # The latest sign-up that asked for a confirmation email, and when that email went. Sign-ups
    # within NEWSLETTERS_EMAIL_COOLDOWN_SECONDS of it record their topics but ask for no email
    # (the link already sent confirms them too); unconfirmed requests expire from this time.
    confirmation_requested_at = models.DateTimeField(null=True, blank=True)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    # When an expired manage link last had a new one emailed: at most one per cooldown.
    manage_link_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["email"]
        indexes = [
            # Beat tasks: expire pending sign-ups, erase long-unsubscribed addresses.
            models.Index(fields=["status", "confirmation_requested_at"]),
            models.Index(fields=["status", "unsubscribed_at"]),
            # Segments by organisation type.
            models.Index(fields=["status", "organisation_type"]),
        ]

    def __str__(self):
        return self.email

    def save(self, *args, **kwargs):
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)


class Subscription(models.Model):
    """One topic a subscriber follows, at its own frequency.

    A saved search stores the listing ("practice" or "events") and the querystring of its
    filters, so any filtered listing can be followed and is matched with that listing's own
    filter form."""

    class Kind(models.TextChoices):
        CRITERION = "criterion", "NCPI criterion"
        THEME = "theme", "Theme"
        AUDIENCE = "audience", "Audience"
        EVENTS = "events", "All new learning events"
        SEARCH = "search", "Saved search"

    class Frequency(models.TextChoices):
        IMMEDIATE = "immediate", "As it happens"
        WEEKLY = "weekly", "Weekly digest"
        MONTHLY = "monthly", "Monthly digest"

    Listing = saved_searches.Listing

    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, related_name="subscriptions"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    criterion = models.ForeignKey(
        "taxonomy.Criterion", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    theme = models.ForeignKey(
        "taxonomy.Theme", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    audience = models.ForeignKey(
        "taxonomy.Audience", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    listing = models.CharField(max_length=16, choices=Listing.choices, blank=True)
    querystring = models.CharField(max_length=2000, blank=True)
    frequency = models.CharField(
        max_length=16, choices=Frequency.choices, default=Frequency.IMMEDIATE
    )
    # False until the subscriber confirms by email: only confirmed topics get mail, so nobody
    # can add topics to someone else's address.
    active = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]
        indexes = [
            models.Index(fields=["kind", "frequency", "active"]),
            models.Index(fields=["active", "created_at"]),
        ]

    def __str__(self):
        return self.describe()

    def describe(self):
        if self.kind == self.Kind.CRITERION:
            return f"NCPI criterion: {self.criterion}"
        if self.kind == self.Kind.THEME:
            return f"Theme: {self.theme}"
        if self.kind == self.Kind.AUDIENCE:
            return f"Audience: {self.audience}"
        if self.kind == self.Kind.EVENTS:
            return "All new learning events"
        return saved_searches.describe_search(self.listing, self.querystring)

    def topic_key(self):
        """What makes two subscriptions the same topic (frequency aside)."""
        return (
            self.kind,
            self.criterion_id,
            self.theme_id,
            self.audience_id,
            self.listing,
            self.querystring,
        )


class NewsletterIssue(PreviewableMixin, models.Model):
    """A newsletter the NCPI team composes: rich text and chosen practice and event pages,
    sent to everyone or to a segment, now or at a scheduled time."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SCHEDULED = "scheduled", "Scheduled"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"

    title = models.CharField(max_length=255, help_text="Also the email's subject line.")
    summary = models.TextField(blank=True, help_text="One sentence shown in the archive.")
    body = StreamField(IssueBodyBlock(), use_json_field=True)
    organisation_type = models.CharField(
        max_length=16,
        choices=Subscriber.OrganisationType.choices,
        blank=True,
        help_text="Send only to subscribers from this kind of organisation; empty for all.",
    )
    segment_criteria = models.ManyToManyField(
        "taxonomy.Criterion",
        blank=True,
        related_name="+",
        help_text="Send only to subscribers following any of these; empty for everyone.",
    )
    segment_themes = models.ManyToManyField("taxonomy.Theme", blank=True, related_name="+")
    segment_audiences = models.ManyToManyField("taxonomy.Audience", blank=True, related_name="+")
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    scheduled_at = models.DateTimeField(
        null=True, blank=True, help_text="Set by 'Schedule' on the send page.", editable=False
    )
    sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    panels = [
        FieldPanel("title"),
        FieldPanel("summary"),
        FieldPanel("body"),
        MultiFieldPanel(
            [
                FieldPanel("organisation_type"),
                FieldPanel("segment_criteria"),
                FieldPanel("segment_themes"),
                FieldPanel("segment_audiences"),
            ],
            heading="Who gets it (leave empty for every subscriber)",
        ),
    ]

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "scheduled_at"]),
            models.Index(fields=["status", "sent_at"]),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("newsletters:issue", args=[self.pk])

    def get_preview_template(self, request, mode_name):
        return "newsletters/email/issue.html"

    def get_preview_context(self, request, mode_name):
        from .rendering import issue_context

        # As the public will get it: pages they may not see are left out (the editor is
        # warned of those on saving and on the send page).
        return issue_context(self, manage_url="#", unsubscribe_url="#")


class Mailing(models.Model):
    """One sending: an issue, an alert about one page, or a weekly or monthly digest. `key`
    names it uniquely, so a task that runs twice finds the mailing it already made."""

    class Kind(models.TextChoices):
        ISSUE = "issue", "Newsletter issue"
        ALERT = "alert", "Alert"
        DIGEST = "digest", "Digest"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    key = models.CharField(max_length=100, unique=True)
    issue = models.ForeignKey(
        NewsletterIssue, null=True, blank=True, on_delete=models.CASCADE, related_name="mailings"
    )
    subject = models.CharField(max_length=255)
    # An issue's body as it was when sending started: everyone gets the same even if the issue
    # is edited mid-send. Which chosen pages each copy shows is decided as it is built.
    body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Set once every delivery row exists: only then can "nothing pending" mean "finished".
    prepared_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # Set when the mail relay refused everyone (failures.py): nothing is sent until the NCPI
    # team resumes it from the admin.
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_reason = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["completed_at"])]

    def __str__(self):
        return self.subject


class Delivery(models.Model):
    """One message to one subscriber. A chunk task claims pending rows (claimed_at is a lease:
    rows a dead worker held become claimable again after NEWSLETTERS_CLAIM_LEASE_SECONDS),
    sends, and marks each row sent right after the server accepts its message."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped (unsubscribed or suppressed before sending)"

    # No index of its own: the unique (mailing, subscriber) index starts with it.
    mailing = models.ForeignKey(
        Mailing, on_delete=models.CASCADE, related_name="deliveries", db_index=False
    )
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    # Alerts and digests: the pages this subscriber's message lists.
    page_ids = models.JSONField(default=list, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim = models.UUIDField(null=True, blank=True)
    # The worker (Celery hostname) holding the claim: when it restarts, it releases what its
    # previous run held at once instead of leaving it for the lease (newsletters.recovery).
    claimed_by = models.CharField(max_length=200, blank=True, default="")
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["mailing", "subscriber"], name="newsletters_one_delivery_per_mailing"
            )
        ]
        # Every row is updated once when it is sent, and an update writes an entry into each
        # index on the table: so few indexes, and the one for claiming covers pending rows
        # only (a sent row leaves it rather than being added to it), in the order claimed.
        indexes = [
            models.Index(
                fields=["mailing", "id"],
                condition=models.Q(status="pending"),
                name="newsletters_delivery_pending",
            ),
        ]

    def __str__(self):
        return f"{self.mailing} to {self.subscriber}"


class SentItem(models.Model):
    """A page a subscriber has been told about (alert or digest): nobody hears of it twice."""

    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="sent_items")
    page = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="+")
    mailing = models.ForeignKey(Mailing, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["subscriber", "page"], name="newsletters_one_item_per_subscriber"
            )
        ]

    def __str__(self):
        return f"{self.page_id} to {self.subscriber_id}"
