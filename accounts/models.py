"""Requests from plain accounts for police or partner access, decided by the NCPI team."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from wagtail.admin.panels import FieldPanel

from taxonomy.models import Organisation


class AccessRequest(models.Model):
    """Someone whose address vouches for nothing asks for access, saying why; the NCPI team
    approves (naming the organisation) or declines in the admin, and the person is emailed."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for a decision"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_requests"
    )
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="access_requests",
        help_text="The force or partner organisation the person works for, as they say; "
        "approving makes them a member of it (and police, for a force).",
    )
    reason = models.TextField(max_length=2000)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    note = models.TextField(
        blank=True,
        max_length=2000,
        help_text="Optional: said to the person in the email telling them the decision.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    notified_status = models.CharField(max_length=10, blank=True, editable=False)

    panels = [
        FieldPanel("user", read_only=True),
        FieldPanel("reason", read_only=True),
        FieldPanel("organisation"),
        FieldPanel("status"),
        FieldPanel("note"),
    ]

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.user.email}: {self.get_status_display()}"

    def clean(self):
        if self.status == self.Status.APPROVED and self.organisation_id is None:
            raise ValidationError(
                {"organisation": "Choose the organisation the person is approved for"}
            )


class HeldEmail(models.Model):
    """An account email rendered in a request (allauth's address confirmations and password
    resets, access requests and decisions), held until the outbox's task sends it after the
    commit (accounts.emails). Deleted once
    sent, so the links in it are kept no longer than it takes to deliver them; its id, not its
    text, is what goes to the broker."""

    to = models.JSONField()
    from_email = models.CharField(max_length=254, blank=True)
    subject = models.CharField(max_length=998)
    body = models.TextField()
    # Other versions of the body, each [content, MIME type] (allauth's HTML templates).
    alternatives = models.JSONField(default=list, blank=True)
    headers = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self):
        return self.subject
