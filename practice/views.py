from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from portal.ratelimits import is_ratelimited
from taxonomy.models import OrganisationMembership

from . import resubmission
from .forms import PracticeResubmissionForm, PracticeSubmissionForm
from .models import PracticeIndexPage, PracticePage
from .submission import create_submission

# Forces submit a handful of case studies a year; ten a day stops a runaway script or a stolen
# account from flooding the NCPI team's moderation queue.
SUBMISSION_RATE = "10/d"
SUBMITTED_SESSION_KEY = "practice-submitted-page"


def force_membership(user):
    """The user's membership of a police force, or None when they may not submit practice."""
    membership = (
        OrganisationMembership.objects.select_related("organisation").filter(user=user).first()
    )
    return membership if membership and membership.may_submit_practice else None


@login_required
def submit_practice(request):
    """A signed-in member of a force submits a case study; it becomes a draft in moderation."""
    membership = force_membership(request.user)
    if membership is None:
        return not_a_force_member(request)
    index = PracticeIndexPage.objects.first()
    if index is None:
        raise Http404("There is no practice section to submit to yet.")

    if request.method == "POST":
        form = PracticeSubmissionForm(request.POST, request.FILES)
        if form.is_valid():
            # Only submissions that would be saved count: fixing mistakes never locks anyone out.
            if is_ratelimited(
                request,
                group="practice-submit",
                key="user",
                rate=SUBMISSION_RATE,
                method="POST",
                increment=True,
            ):
                return TemplateResponse(request, "429.html", status=429)
            page = create_submission(
                form.cleaned_data, membership.organisation, request.user, index
            )
            request.session[SUBMITTED_SESSION_KEY] = page.pk
            return redirect("practice_submitted")
        status = 400
    else:
        form = PracticeSubmissionForm(initial={"contact_email": request.user.email})
        status = 200
    context = {"form": form, "organisation": membership.organisation}
    return TemplateResponse(request, "practice/submit.html", context, status=status)


@login_required
def submission_received(request):
    """What happens next, after a submission. Only the submitter sees their own submission."""
    page = PracticePage.objects.filter(
        pk=request.session.get(SUBMITTED_SESSION_KEY), owner=request.user
    ).first()
    if page is None:
        return redirect("practice_submit")
    return TemplateResponse(request, "practice/submit_done.html", {"submission": page})


@login_required
def respond_to_changes(request, pk):
    """The submitter changes a case study the NCPI team sent back, and sends it for review again.

    Anyone else's case study is not found, whether or not it exists; the submitter's own, when
    no changes are asked for, is explained and left as it is.
    """
    page = resubmission.own_submission(request.user, pk)
    if page is None:
        raise Http404("You have no case study with this number.")
    if force_membership(request.user) is None:
        return not_a_force_member(request)
    state = resubmission.awaiting_changes(page, request.user)
    if state is None:
        return not_awaiting_changes(request, page)

    attachments = page.attachments.all()
    if request.method == "POST":
        form = PracticeResubmissionForm(request.POST, request.FILES, attachments=attachments)
        if form.is_valid():
            try:
                page = resubmission.resubmit(page, state, request.user, form.cleaned_data)
            except resubmission.NotAwaitingChanges:
                return not_awaiting_changes(request, page)
            messages.success(
                request,
                f"You sent \u201c{page.title}\u201d to the NCPI team to review again. "
                "We will email you when they have.",
            )
            return redirect("accounts:home")
        status = 400
    else:
        form = PracticeResubmissionForm(
            initial=resubmission.answers(page), attachments=attachments
        )
        status = 200
    context = {
        "form": form,
        "submission": page,
        "organisation": page.force,
        "change_requests": resubmission.change_requests(state),
        "ncpi_email": settings.NCPI_TEAM_EMAIL,
    }
    return TemplateResponse(request, "practice/respond.html", context, status=status)


def not_a_force_member(request):
    context = {"ncpi_email": settings.NCPI_TEAM_EMAIL}
    return TemplateResponse(request, "practice/submit_forbidden.html", context, status=403)


def not_awaiting_changes(request, page):
    """Why the case study cannot be changed now. 409: it is in a state that does not allow it."""
    context = {
        "submission": page,
        "in_review": page.current_workflow_state is not None,
        "ncpi_email": settings.NCPI_TEAM_EMAIL,
    }
    return TemplateResponse(request, "practice/respond_closed.html", context, status=409)
