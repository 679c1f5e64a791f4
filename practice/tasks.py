from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import timezone


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
        {"contact": contact, "page": page, "page_url": page.full_url},
    )
    email = EmailMessage(
        subject=f"Enquiry about your practice: {page.title}",
        body=body,
        to=[recipient],
        reply_to=[contact.email],
    )
    try:
        email.send()
    except OSError as exc:
        raise self.retry(exc=exc, countdown=60 * 2**self.request.retries) from exc
    ContactMessage.objects.filter(pk=contact.pk).update(sent_at=timezone.now())
