from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django_ratelimit.core import is_ratelimited

from .forms import ContactOriginatorForm
from .models import ContactMessage
from .tasks import relay_contact_message

# Enough for a genuine enquirer to correct a typo; too few for a spammer.
CONTACT_RATE = "5/h"


def contact_originator(request, page):
    """Relay a message to a practice's originator without showing anyone's address."""
    form = ContactOriginatorForm(request.POST)
    if not form.is_valid():
        context = page.get_context(request, contact_form=form)
        return TemplateResponse(request, page.get_template(request), context, status=400)
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
        contact = ContactMessage.objects.create(page=page, **form.cleaned_data)
        relay_contact_message.delay_on_commit(contact.pk)
    messages.success(
        request, "Your message has been sent. The originator will reply to you by email."
    )
    return redirect(page.url + "#contact")
