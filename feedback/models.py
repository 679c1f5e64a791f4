"""Feedback about the service, from the phase banner's link: kept only until the NCPI team has
it by email (feedback.tasks), as contact messages are (practice.ContactMessage)."""

from django.db import models


class FeedbackMessage(models.Model):
    message = models.TextField()
    # Optional: only if the sender wants a reply.
    name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    # The page the sender came from (a path on this site), to know what the feedback is about.
    page = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = "feedback message"

    def __str__(self):
        return f"Feedback of {self.created_at:%Y-%m-%d %H:%M}"
