"""Saving a force's case study: a new submission, and the answers a submitter changes when the
NCPI team asks them to (practice.resubmission). Both write the same fields the same way."""

import uuid

from django.contrib.auth.models import Group
from django.db import transaction
from wagtail.documents import get_document_model
from wagtail.models import Collection, CollectionViewRestriction, Workflow, WorkflowPage
from wagtail.users.models import UserProfile

from portal.importing import paragraphs_to_html, unique_child_slug
from taxonomy.models import Organisation

from .models import PracticeAttachment, PracticePage
from .moderation import PRACTICE_WORKFLOW, SUBMISSIONS_COLLECTION

# Answers stored as the submitter typed them, and long answers typed as plain text that the
# page holds as rich text (paragraphs split by a blank line).
PLAIN_ANSWERS = (
    "title",
    "summary",
    "adoption_people",
    "adoption_cost",
    "evidence_level",
    "outcome",
    "stage",
    "contact_role",
    "contact_email",
)
PARAGRAPH_ANSWERS = ("problem", "approach", "outcomes", "implementation", "adoption_pitfalls")


def create_submission(data, force, user, index):
    """Save the submission as a draft practice page with its attachments, and start moderation.

    All or nothing: if anything fails, no page, document or partner is left behind.
    """
    with transaction.atomic():
        page = PracticePage(
            slug=unique_child_slug(index, data["title"], uuid.uuid4().hex[:8]),
            force=force,
            recognised_by=PracticePage.RecognisedBy.SELF_ASSESSMENT,
            source=f"Submitted by {force.name}",
            owner=user,
            live=False,
        )
        # Set before the first save, which stores these with the page (modelcluster).
        fill_in(page, data, attachments=uploaded_attachments(data["attachments"], user))
        index.add_child(instance=page)
        page.save_revision(user=user, log_action=True)

        quiet_admin_notifications(user)
        moderation_workflow(page, index).start(page, user)
    return page


def fill_in(page, data, attachments):
    """Put the form's answers on the page (not saved): its fields, tags, partners and the
    attachments it is to have."""
    for name in PLAIN_ANSWERS:
        setattr(page, name, data[name])
    for name in PARAGRAPH_ANSWERS:
        setattr(page, name, paragraphs_to_html(data[name]))
    page.criteria = data["criteria"]
    page.themes = data["themes"]
    page.audiences = data["audiences"]
    page.partners = [partner_organisation(name) for name in data["partners"]]
    page.attachments = attachments


def uploaded_attachments(uploads, user):
    """Save uploaded files as documents that wait for moderation, ready to attach to a page."""
    collection = submissions_collection()
    attachments = []
    for upload in uploads:
        document = get_document_model()(
            title=upload.name, file=upload, collection=collection, uploaded_by_user=user
        )
        document._set_document_file_metadata()
        document.save()
        attachments.append(PracticeAttachment(document=document))
    return attachments


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
