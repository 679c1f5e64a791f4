import datetime as dt

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from portal.links import public_url


@shared_task(bind=True, max_retries=8, default_retry_delay=60, soft_time_limit=50, time_limit=60)
def relay_feedback(self, feedback_id):
    """Email feedback to the NCPI team. Safe to run twice: a message already marked sent is
    not sent again; failures retry with backoff, so a mail server outage loses nothing."""
    from .models import FeedbackMessage

    feedback = FeedbackMessage.objects.filter(pk=feedback_id).first()
    if feedback is None or feedback.sent_at is not None:
        return
    body = render_to_string(
        "feedback/email/feedback.txt",
        {
            "feedback": feedback,
            "page_url": public_url(feedback.page) if feedback.page else "",
            "keep_days": settings.FEEDBACK_MESSAGES_KEEP_DAYS,
        },
    )
    email = EmailMessage(
        subject="Feedback about the Safeguarding Practice Exchange",
        body=body,
        to=[settings.NCPI_TEAM_EMAIL],
        reply_to=[feedback.email] if feedback.email else None,
    )
    try:
        email.send()
    except OSError as exc:
        raise self.retry(exc=exc, countdown=60 * 2**self.request.retries) from exc
    FeedbackMessage.objects.filter(pk=feedback.pk).update(sent_at=timezone.now())


@shared_task(soft_time_limit=110, time_limit=120)
def delete_old_feedback():
    """Beat, daily: delete feedback relayed FEEDBACK_MESSAGES_KEEP_DAYS ago, and feedback never
    relayed that old (its retries ended long before): the email is the record."""
    from .models import FeedbackMessage

    cutoff = timezone.now() - dt.timedelta(days=settings.FEEDBACK_MESSAGES_KEEP_DAYS)
    deleted, _ = FeedbackMessage.objects.filter(
        Q(sent_at__lt=cutoff) | Q(sent_at__isnull=True, created_at__lt=cutoff)
    ).delete()
    return deleted
