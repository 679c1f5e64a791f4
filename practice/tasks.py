import datetime as dt

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMessage
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from portal.links import page_url, public_url
from portal.text import one_line


@shared_task(bind=True, max_retries=8, default_retry_delay=60, soft_time_limit=50, time_limit=60)
def relay_contact_message(self, contact_message_id):
    """Email a contact-form message to the practice's originator (or the NCPI team).

    Safe to run twice: a message already marked sent is not sent again. Failures retry with
    backoff so that a mail server outage loses nothing.
    """
    from .models import ContactMessage

    contact = ContactMessage.objects.select_related("page").filter(pk=contact_message_id).first()
    if contact is None or contact.sent_at is not None:
        return
    page = contact.page
    recipient = page.contact_email or settings.NCPI_TEAM_EMAIL
    body = render_to_string(
        "practice/email/contact_message.txt",
        {"contact": contact, "page": page, "page_url": page_url(page)},
    )
    email = EmailMessage(
        subject=one_line(f"Enquiry about your practice: {page.title}"),
        body=body,
        to=[recipient],
        reply_to=[contact.email],
    )
    try:
        email.send()
    except OSError as exc:
        raise self.retry(exc=exc, countdown=60 * 2**self.request.retries) from exc
    ContactMessage.objects.filter(pk=contact.pk).update(sent_at=timezone.now())


@shared_task(soft_time_limit=110, time_limit=120)
def delete_old_contact_messages():
    """Beat, daily: delete contact messages relayed PRACTICE_CONTACT_MESSAGES_KEEP_DAYS ago,
    and those never relayed that old (their retries ended long before)."""
    from .models import ContactMessage

    cutoff = timezone.now() - dt.timedelta(days=settings.PRACTICE_CONTACT_MESSAGES_KEEP_DAYS)
    deleted, _ = ContactMessage.objects.filter(
        Q(sent_at__lt=cutoff) | Q(sent_at__isnull=True, created_at__lt=cutoff)
    ).delete()
    return deleted


# Long enough to outlast any redelivery (the broker's visibility timeout is an hour), short
# enough that the markers do not pile up in the cache.
SUBMITTER_EMAIL_MARK_SECONDS = 7 * 24 * 60 * 60

# Event (see practice.moderation) -> subject and body template.
SUBMITTER_EMAILS = {
    "submitted": (
        "We have received your case study: {title}",
        "practice/email/submission_submitted.txt",
    ),
    "published": (
        "Your case study is published: {title}",
        "practice/email/submission_published.txt",
    ),
    "changes-requested": (
        "Changes needed to your case study: {title}",
        "practice/email/submission_changes_requested.txt",
    ),
    "rejected": (
        "Your case study will not be published: {title}",
        "practice/email/submission_rejected.txt",
    ),
}


@shared_task(bind=True, max_retries=8, default_retry_delay=60, soft_time_limit=50, time_limit=60)
def email_submitter(self, workflow_state_id, event, task_state_id=None):
    """Tell a force's submitter what moderation did with their case study.

    Safe to run twice: each event of each workflow (each request for changes, for a revised
    submission) is emailed once; the mark is set only after the mail server took the message.
    The state is read afresh, so the email says what is true when it is sent.
    """
    from wagtail.models import TaskState, WorkflowState

    state = (
        WorkflowState.objects.select_related("requested_by").filter(pk=workflow_state_id).first()
    )
    if state is None or not state.requested_by or not state.requested_by.email:
        return
    page = state.content_object
    if page is None:
        return
    page = page.specific
    comment = ""
    if event == "changes-requested":
        task_state = TaskState.objects.filter(pk=task_state_id).first()
        comment = task_state.comment if task_state else ""
    elif event == "rejected":
        if page.live:
            # Cancelled because an editor published the page directly: it was accepted.
            event = "published"
        elif (
            WorkflowState.objects.active()
            .filter(base_content_type_id=state.base_content_type_id, object_id=state.object_id)
            .exists()
        ):
            # Cancelled to restart moderation: the submission is still being considered.
            return
        else:
            comment = (
                TaskState.objects.filter(workflow_state=state)
                .exclude(comment="")
                .order_by("-finished_at")
                .values_list("comment", flat=True)
                .first()
                or ""
            )

    mark = f"practice:email-submitter:{state.pk}:{event}:{task_state_id or ''}"
    if cache.get(mark):
        return
    context = {
        "page": page,
        "user": state.requested_by,
        "comment": comment,
        "page_url": page_url(page) if page.live else "",
        "practice_url": page_url(page.get_parent()),
        "respond_url": public_url(reverse("practice_respond", args=[page.pk])),
        "ncpi_email": settings.NCPI_TEAM_EMAIL,
    }
    subject, template = SUBMITTER_EMAILS[event]
    email = EmailMessage(
        subject=one_line(subject.format(title=page.title)),
        body=render_to_string(template, context),
        to=[state.requested_by.email],
        reply_to=[settings.NCPI_TEAM_EMAIL],
    )
    try:
        email.send()
    except OSError as exc:
        raise self.retry(exc=exc, countdown=60 * 2**self.request.retries) from exc
    cache.set(mark, True, SUBMITTER_EMAIL_MARK_SECONDS)
