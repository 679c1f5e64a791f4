from django.conf import settings
from django.db import transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from portal import outbox
from portal.ratelimits import is_ratelimited
from portal.views import in_words

from .forms import FeedbackForm
from .models import FeedbackMessage
from .tasks import relay_feedback

# As for messages to a practice's originator: enough to correct a typo, too few for a spammer.
FEEDBACK_RATE = "5/h"


def feedback(request):
    if request.method == "POST":
        form = FeedbackForm(request.POST)
        if form.is_valid():
            # Only feedback that would be sent counts, so fixing mistakes never locks anyone out.
            if is_ratelimited(
                request,
                group="feedback",
                key="ip",
                rate=FEEDBACK_RATE,
                method="POST",
                increment=True,
            ):
                return TemplateResponse(request, "429.html", status=429)
            with transaction.atomic():
                message = FeedbackMessage.objects.create(**form.cleaned_data)
                outbox.send_after_commit(relay_feedback, message.pk)
            return redirect("feedback:sent")
        status = 400
    else:
        form = FeedbackForm(initial={"page": request.GET.get("from", "")})
        status = 200
    context = {"form": form, "kept": in_words(settings.FEEDBACK_MESSAGES_KEEP_DAYS)}
    return TemplateResponse(request, "feedback/feedback.html", context, status=status)


def sent(request):
    return TemplateResponse(request, "feedback/sent.html")
