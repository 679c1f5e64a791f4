"""Moderation of practice submitted by forces: tells the submitter what happened at each step.

Wagtail's workflow signals say when a submission starts moderation, is approved (and so
published), is sent back for changes, or is cancelled. Each handler hands the email to Celery;
connected in PracticeConfig.ready().

What a moderator does in the Wagtail admin, and what the submitter is told:
- submitting (the form starts the workflow) -> "received";
- "Approve" -> the page is published -> "published";
- "Request changes", with a comment -> "changes requested", quoting the comment;
- "Cancel workflow" (the page stays an unpublished draft) -> "not published". Wagtail's group
  approval task has no separate "reject" action, so cancelling is how the NCPI team declines a
  submission; a comment left with an earlier "Request changes" is quoted.
"""

from wagtail.models import WorkflowState

from portal import outbox
from taxonomy.models import Organisation, OrganisationMembership

PRACTICE_WORKFLOW = "Practice moderation"
# Submitted documents wait here, visible only to the NCPI team, until approval.
SUBMISSIONS_COLLECTION = "Force submissions"

SUBMITTED = "submitted"
PUBLISHED = "published"
CHANGES_REQUESTED = "changes-requested"
REJECTED = "rejected"


def is_force_submission(workflow_state):
    """Only case studies sent in by force staff get these emails; pages NCPI editors submit in
    the admin get Wagtail's own notifications."""
    from .models import PracticePage

    if not issubclass(workflow_state.content_type.model_class() or object, PracticePage):
        return False
    return OrganisationMembership.objects.filter(
        user_id=workflow_state.requested_by_id, organisation__kind=Organisation.Kind.FORCE
    ).exists()


def notify_submitter(workflow_state, event, task_state_id=None):
    from .tasks import email_submitter

    if is_force_submission(workflow_state):
        outbox.send_after_commit(email_submitter, workflow_state.pk, event, task_state_id)


def on_workflow_submitted(sender, instance, user=None, **kwargs):
    notify_submitter(instance, SUBMITTED)


def on_workflow_approved(sender, instance, user=None, **kwargs):
    if is_force_submission(instance):
        release_documents(instance)
    notify_submitter(instance, PUBLISHED)


def on_workflow_rejected(sender, instance, user=None, **kwargs):
    # The task state that was rejected carries the moderator's comment.
    notify_submitter(instance, CHANGES_REQUESTED, instance.current_task_state_id)


def on_workflow_cancelled(sender, instance, user=None, **kwargs):
    # A submitter withdrawing their own submission needs no email about it.
    if user is None or user.pk != instance.requested_by_id:
        notify_submitter(instance, REJECTED)


def release_documents(workflow_state):
    """Make an approved submission's documents public, as its published page links to them.

    They waited in the restricted "Force submissions" collection; they move to its parent, the
    collection the NCPI team's own uploads go to.
    """
    from wagtail.documents import get_document_model

    from .models import PracticeAttachment

    documents = (
        get_document_model()
        .objects.filter(
            pk__in=PracticeAttachment.objects.filter(page_id=workflow_state.object_id).values(
                "document_id"
            ),
            collection__name=SUBMISSIONS_COLLECTION,
        )
        .select_related("collection")
    )
    for document in documents:
        document.collection = document.collection.get_parent()
        document.save(update_fields=["collection"])


def connect_signals():
    from wagtail import signals

    signals.workflow_submitted.connect(
        on_workflow_submitted, sender=WorkflowState, dispatch_uid="practice-workflow-submitted"
    )
    signals.workflow_approved.connect(
        on_workflow_approved, sender=WorkflowState, dispatch_uid="practice-workflow-approved"
    )
    signals.workflow_rejected.connect(
        on_workflow_rejected, sender=WorkflowState, dispatch_uid="practice-workflow-rejected"
    )
    signals.workflow_cancelled.connect(
        on_workflow_cancelled, sender=WorkflowState, dispatch_uid="practice-workflow-cancelled"
    )
