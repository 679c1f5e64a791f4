"""A submitter's answer when the NCPI team asks for changes to their case study: what they were
asked, their answers back in the form, and the changed case study back in moderation at the
step that sent it back.

Only the submitter, and only while changes are asked for: while a case study waits for review
the moderators are reading it, and once it is published or declined it is the NCPI team's.
The moderators see the resubmission in the page's history in the admin ("Resubmitted ...
Workflow resumed", with who and when) and its new revision, which they can compare with the
one they sent back.
"""

import html
import re
import uuid

from django.db import transaction
from django.utils.html import strip_tags
from wagtail.models import TaskState, WorkflowState

from portal.importing import unique_child_slug

from .models import PracticePage
from .moderation import SUBMITTED, notify_submitter
from .submission import PARAGRAPH_ANSWERS, PLAIN_ANSWERS, fill_in, uploaded_attachments

# Where a block of rich text ends: a paragraph, or a list item or heading an editor added.
BLOCK_END = re.compile(r"</(?:p|li|h[1-6]|blockquote)\s*>|<br\s*/?>", re.IGNORECASE)


class NotAwaitingChanges(Exception):
    """The case study is not, or no longer, waiting for its submitter's changes."""


def own_submission(user, pk):
    """The user's own case study with this id, or None: as in their account's list, a case study
    is theirs when their account owns it."""
    return PracticePage.objects.filter(pk=pk, owner=user).select_related("force").first()


def awaiting_changes(page, user):
    """The moderation in which the NCPI team asked `user` for changes to the page, or None."""
    state = page.current_workflow_state
    if (
        page.live
        or state is None
        or state.status != WorkflowState.STATUS_NEEDS_CHANGES
        or state.requested_by_id != user.pk
    ):
        return None
    return state


def change_requests(state):
    """Each time the NCPI team sent the case study back in this moderation, newest first: when,
    and the comment they left (which may be empty)."""
    return list(
        TaskState.objects.filter(workflow_state=state, status=TaskState.STATUS_REJECTED)
        .order_by("-finished_at", "-pk")
        .values("finished_at", "comment")
    )


def answers(page):
    """The form's answers as the page holds them now: what was submitted, with any edits the
    NCPI team made (a draft page's own row is its latest version)."""
    initial = {name: getattr(page, name) for name in PLAIN_ANSWERS}
    for name in PARAGRAPH_ANSWERS:
        initial[name] = rich_text_to_paragraphs(getattr(page, name))
    initial["partners"] = "\n".join(partner.name for partner in page.partners.all())
    initial["criteria"] = list(page.criteria.all())
    initial["themes"] = list(page.themes.all())
    initial["audiences"] = list(page.audiences.all())
    return initial


def rich_text_to_paragraphs(value):
    """Rich text as the form's plain text: one paragraph per block, a blank line between them
    (the inverse of portal.importing.paragraphs_to_html)."""
    text = html.unescape(strip_tags(BLOCK_END.sub("\n\n", value or "")))
    paragraphs = (" ".join(paragraph.split()) for paragraph in text.split("\n\n"))
    return "\n\n".join(paragraph for paragraph in paragraphs if paragraph)


def resubmit(page, state, user, data):
    """Save the changed answers as the submitter's new revision and resume moderation, as
    resubmitting in the admin does: the step that asked for changes starts again (so its
    reviewers are notified as for a new submission) and reviews the new revision. The submitter
    is emailed that it was received, as after submitting.

    Raises NotAwaitingChanges, changing nothing, when the NCPI team moved on meanwhile or the
    form was sent twice.
    """
    with transaction.atomic():
        state = WorkflowState.objects.select_for_update().filter(pk=state.pk).first()
        if state is None or state.status != WorkflowState.STATUS_NEEDS_CHANGES:
            raise NotAwaitingChanges
        page = PracticePage.objects.get(pk=page.pk)
        if page.live:
            raise NotAwaitingChanges
        removed = {attachment.pk for attachment in data["remove_attachments"]}
        kept = [a for a in page.attachments.all() if a.pk not in removed]
        old_title = page.title
        fill_in(page, data, attachments=kept + uploaded_attachments(data["attachments"], user))
        if page.title != old_title:
            # Not yet public, so nothing links to the old address.
            page.slug = unique_child_slug(
                page.get_parent(), page.title, uuid.uuid4().hex[:8], page=page
            )
        page.save()
        page.save_revision(user=user, log_action=True)
        state.resume(user)
        # Resuming is not a new workflow, so Wagtail's "submitted" signal stays silent: the
        # submitter is told it was received here, once for each time they send it back.
        notify_submitter(state, SUBMITTED, state.current_task_state_id)
    return page
