"""The hostile-input walk's target for a submitter's changes to a case study sent back."""

from django.contrib.auth.models import Group, User
from django.urls import reverse

from practice.forms import PracticeResubmissionForm, PracticeSubmissionForm
from practice.models import PracticeIndexPage
from practice.submission import create_submission
from tests.portal.hostile import Target


def sent_back_for_changes(member, submission):
    """A case study `member` submitted and the NCPI team sent back, and its changes form.

    The baseline has no title, so each post is refused and the case study stays sent back (one
    accepted post would close the form for the rest of the walk); the title is walked last.
    """
    form = PracticeSubmissionForm({**submission, "criteria": [submission["criteria"]]})
    assert form.is_valid(), form.errors
    force = member.organisation_membership.organisation
    page = create_submission(form.cleaned_data, force, member, PracticeIndexPage.objects.get())
    moderator = User.objects.create_user("hostile-moderator", "moderator@example.gov.uk")
    moderator.groups.add(Group.objects.get(name="Moderators"))
    task_state = page.current_workflow_state.current_task_state
    task_state.task.specific.on_action(task_state, moderator, "reject", comment="Add figures.")
    fields = [name for name in PracticeResubmissionForm.base_fields if name != "title"]
    return Target(
        reverse("practice_respond", args=[page.pk]),
        [],
        [*fields, "title"],
        {name: value for name, value in submission.items() if name != "title"},
        user=member,
    )
