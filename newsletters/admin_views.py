"""The admin page where the NCPI team test-sends, sends or schedules an issue and watches it
go out: sent, pending and failed counts, refreshing while it sends; and where a mailing paused
because the mail relay refused everyone (failures.py) is resumed."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone

from portal import outbox

from . import mailings, rendering, tasks
from .forms import ScheduleForm, TestSendForm
from .models import Mailing, NewsletterIssue


def _require_send_permission(request):
    if not request.user.has_perm("newsletters.change_newsletterissue"):
        raise PermissionDenied


def send_issue(request, pk):
    _require_send_permission(request)
    issue = get_object_or_404(NewsletterIssue, pk=pk)
    mailing = issue.mailings.first()
    test_form = TestSendForm(initial={"email": request.user.email})
    schedule_form = ScheduleForm()
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        editable = issue.status in (NewsletterIssue.Status.DRAFT, NewsletterIssue.Status.SCHEDULED)
        if action == "test":
            test_form = TestSendForm(request.POST)
            if test_form.is_valid():
                email = test_form.cleaned_data["email"]
                outbox.send_after_commit(tasks.send_test_issue, issue.pk, email)
                messages.success(request, f"A test is on its way to {email}.")
                return redirect(request.path)
            status = 400
        elif action == "send" and editable:
            # start_sending starts it once; a second click (or a second tab) that got here
            # before the first committed is told so, rather than saying "is being sent" again.
            if tasks.start_sending(issue.pk):
                messages.success(request, f"'{issue.title}' is being sent.")
            else:
                messages.info(request, f"'{issue.title}' was already being sent.")
            return redirect(request.path)
        elif action == "schedule" and editable:
            schedule_form = ScheduleForm(request.POST)
            if schedule_form.is_valid():
                when = schedule_form.cleaned_data["scheduled_at"]
                if when <= timezone.now():
                    schedule_form.add_error("scheduled_at", "Enter a time in the future")
                    status = 400
                else:
                    with transaction.atomic():
                        NewsletterIssue.objects.filter(
                            pk=issue.pk,
                            status__in=[
                                NewsletterIssue.Status.DRAFT,
                                NewsletterIssue.Status.SCHEDULED,
                            ],
                        ).update(status=NewsletterIssue.Status.SCHEDULED, scheduled_at=when)
                    messages.success(request, f"'{issue.title}' is scheduled.")
                    return redirect(request.path)
            else:
                status = 400
        elif action == "unschedule" and issue.status == NewsletterIssue.Status.SCHEDULED:
            NewsletterIssue.objects.filter(
                pk=issue.pk, status=NewsletterIssue.Status.SCHEDULED
            ).update(status=NewsletterIssue.Status.DRAFT, scheduled_at=None)
            messages.success(request, "Schedule cancelled: the issue is a draft again.")
            return redirect(request.path)
        elif action == "resume" and mailing is not None and mailing.paused_at is not None:
            tasks.resume_sending(mailing.pk)
            messages.success(request, f"Sending '{issue.title}' again.")
            return redirect(request.path)
        else:
            messages.error(request, "That cannot be done to this issue now.")
            return redirect(request.path)

    counts = mailings.progress([mailing.pk])[mailing.pk] if mailing else None
    return TemplateResponse(
        request,
        "newsletters/admin/send_issue.html",
        {
            "issue": issue,
            "mailing": mailing,
            "counts": counts,
            "recipients": mailings.issue_recipients(issue).count(),
            "hidden_choices": rendering.hidden_choices(issue),
            "test_form": test_form,
            "schedule_form": schedule_form,
            "paused": mailing is not None and mailing.paused_at is not None,
            "refresh": issue.status == NewsletterIssue.Status.SENDING
            and not (mailing and mailing.paused_at),
        },
        status=status,
    )


def paused_mailings(request):
    """Every paused mailing (alerts and digests have no send page of their own), to resume."""
    _require_send_permission(request)
    if request.method == "POST":
        mailing_id = request.POST.get("mailing", "")
        if mailing_id.isdigit() and tasks.resume_sending(int(mailing_id)):
            messages.success(request, "Sending again.")
        else:
            messages.error(request, "That mailing is not paused.")
        return redirect(request.path)
    paused = Mailing.objects.filter(paused_at__isnull=False, completed_at__isnull=True)
    counts = mailings.progress([mailing.pk for mailing in paused])
    return TemplateResponse(
        request,
        "newsletters/admin/paused_mailings.html",
        {"mailings": [(mailing, counts[mailing.pk]) for mailing in paused]},
    )
