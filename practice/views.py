import uuid

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import Group
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from wagtail.documents import get_document_model
from wagtail.models import Collection, CollectionViewRestriction, Workflow, WorkflowPage
from wagtail.users.models import UserProfile

from portal.importing import paragraphs_to_html, unique_child_slug
from portal.ratelimits import is_ratelimited
from taxonomy.models import Organisation, OrganisationMembership

from .forms import PracticeSubmissionForm
from .models import PracticeAttachment, PracticeIndexPage, PracticePage
from .moderation import PRACTICE_WORKFLOW, SUBMISSIONS_COLLECTION

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
        context = {"ncpi_email": settings.NCPI_TEAM_EMAIL}
        return TemplateResponse(request, "practice/submit_forbidden.html", context, status=403)
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


def create_submission(data, force, user, index):
    """Save the submission as a draft practice page with its attachments, and start moderation.

    All or nothing: if anything fails, no page, document or partner is left behind.
    """
    with transaction.atomic():
        collection = submissions_collection()
        attachments = []
        for upload in data["attachments"]:
            document = get_document_model()(
                title=upload.name, file=upload, collection=collection, uploaded_by_user=user
            )
            document._set_document_file_metadata()
            document.save()
            attachments.append(PracticeAttachment(document=document))

        page = PracticePage(
            title=data["title"],
            slug=unique_child_slug(index, data["title"], uuid.uuid4().hex[:8]),
            summary=data["summary"],
            force=force,
            problem=paragraphs_to_html(data["problem"]),
            approach=paragraphs_to_html(data["approach"]),
            outcomes=paragraphs_to_html(data["outcomes"]),
            implementation=paragraphs_to_html(data["implementation"]),
            adoption_people=data["adoption_people"],
            adoption_cost=data["adoption_cost"],
            adoption_pitfalls=paragraphs_to_html(data["adoption_pitfalls"]),
            evidence_level=data["evidence_level"],
            outcome=data["outcome"],
            stage=data["stage"],
            recognised_by=PracticePage.RecognisedBy.SELF_ASSESSMENT,
            source=f"Submitted by {force.name}",
            contact_role=data["contact_role"],
            contact_email=data["contact_email"],
            owner=user,
            live=False,
        )
        # Set before the first save, which stores these with the page (modelcluster).
        page.criteria = data["criteria"]
        page.themes = data["themes"]
        page.audiences = data["audiences"]
        page.partners = [partner_organisation(name) for name in data["partners"]]
        page.attachments = attachments
        index.add_child(instance=page)
        page.save_revision(user=user, log_action=True)

        quiet_admin_notifications(user)
        moderation_workflow(page, index).start(page, user)
    return page


def partner_organisation(name):
    """The organisation with this name, or a new partner organisation.

    New names are created straight away, as the importer does, so the draft names its partners
    the way a published page does. They are reachable only from this (unpublished) page, so a
    rejected submission shows nothing publicly; the NCPI team can merge or rename them as
    snippets when moderating.
    """
    found = Organisation.objects.filter(name__iexact=name).first()
    return found or Organisation.objects.create(name=name, kind=Organisation.Kind.PARTNER)


def submissions_collection():
    """Where submitted documents wait for moderation: visible only to the NCPI team.

    Wagtail serves any document by its address, and unmoderated files from outside the NCPI
    team must not be public, so this collection is restricted to moderators and editors.
    Approval moves a page's documents out of it (see practice.moderation).
    """
    collection = Collection.objects.filter(name=SUBMISSIONS_COLLECTION).first()
    if collection is None:
        collection = Collection.get_first_root_node().add_child(name=SUBMISSIONS_COLLECTION)
        restriction = CollectionViewRestriction.objects.create(
            collection=collection, restriction_type=CollectionViewRestriction.GROUPS
        )
        restriction.groups.set(Group.objects.filter(name__in=["Moderators", "Editors"]))
    return collection


def quiet_admin_notifications(user):
    """Wagtail emails a requester when moderation approves or rejects, with links into the admin.

    Force staff have no admin access, and get the portal's own emails instead
    (practice.moderation), so Wagtail's would only duplicate them with broken links.
    """
    if user.has_perm("wagtailadmin.access_admin"):
        return
    profile = UserProfile.get_for_user(user)
    profile.approved_notifications = False
    profile.rejected_notifications = False
    profile.save(update_fields=["approved_notifications", "rejected_notifications"])


def moderation_workflow(page, index):
    """The workflow that applies to the page, else the practice app's own (see migration 0002),
    which is then assigned to the practice index so the admin shows the same."""
    workflow = page.get_workflow()
    if workflow is None:
        workflow = Workflow.objects.get(name=PRACTICE_WORKFLOW, active=True)
        WorkflowPage.objects.get_or_create(page=index, defaults={"workflow": workflow})
    return workflow
