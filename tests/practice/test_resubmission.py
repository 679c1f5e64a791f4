"""When the NCPI team asks for changes, the submitter opens the case study from their account,
reads what to change, changes their answers and sends it back into moderation; nobody else can,
and neither can they at any other time."""

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail.models import PageLogEntry, Revision, WorkflowState

from portal.models import OutboxMessage
from practice.models import PracticePage
from practice.tasks import email_submitter
from taxonomy.models import Criterion, Organisation, OrganisationMembership
from tests.practice.conftest import make_user
from tests.practice.test_submission import (
    DOCX,
    clear_rate_limits_and_media,  # noqa: F401 (autouse fixture: cache and media per test)
    form_data,
    pdf,
    submit,
    workflow_action,
)

pytestmark = pytest.mark.django_db

COMMENT = "Add the figures for 2024.\n\nSay who pays for the visits."


def respond_url(page):
    return reverse("practice_respond", args=[page.pk])


@pytest.fixture
def sent_back(client, practice_index, force_user, moderator):
    """A case study the submitter sent in and the NCPI team sent back with a comment."""
    submit(client, force_user, attachments=[pdf("protocol.pdf")])
    page = PracticePage.objects.get()
    workflow_action(client, moderator, page, "reject", COMMENT)
    client.force_login(force_user)
    return PracticePage.objects.get()


def state_of(page):
    page = PracticePage.objects.get(pk=page.pk)
    return page, page.current_workflow_state


def snapshot(page):
    """Everything a refused or invalid resubmission must leave alone."""
    page, state = state_of(page)
    return (
        page.title,
        page.outcomes,
        page.latest_revision_id,
        state and state.status,
        Revision.objects.count(),
        PageLogEntry.objects.count(),
        list(page.attachments.values_list("document_id", flat=True)),
    )


# The submitter's way back in


def test_the_account_page_links_to_the_changes_only_when_they_are_asked_for(
    client, practice_index, force_user, moderator
):
    submit(client, force_user)
    page = PracticePage.objects.get()
    html = client.get("/account/").content.decode()
    assert "Waiting for review" in html
    assert respond_url(page) not in html

    workflow_action(client, moderator, page, "reject", COMMENT)
    client.force_login(force_user)
    html = client.get("/account/").content.decode()
    assert "Changes requested" in html
    assert f'href="{respond_url(page)}"' in html
    assert "Make changes" in html


def test_the_changes_requested_email_links_to_the_form(client, sent_back):
    mail.outbox.clear()
    state = sent_back.current_workflow_state
    email_submitter(state.pk, "changes-requested", state.current_task_state_id)
    [email] = mail.outbox
    assert f"http://testserver{respond_url(sent_back)}" in email.body


def test_the_form_shows_the_comment_and_what_was_sent(client, sent_back):
    response = client.get(respond_url(sent_back))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Change your case study" in html
    assert "<p>Add the figures for 2024.</p>" in html
    assert "<p>Say who pays for the visits.</p>" in html
    # The answers as submitted: the long ones as the plain text that was typed.
    assert 'value="Link officers for children&#x27;s homes"' in html
    assert (
        ">Children in homes went missing often.\n\nOfficers did not know the staff.</textarea>"
        in html
    )
    assert "Avon Fire" in html and "northfield health trust" in html
    criterion = Criterion.objects.get(slug="initial-contact")
    assert f'value="{criterion.pk}" checked' in html
    assert 'value="worked" checked' in html
    assert 'value="missing.persons@example.police.uk"' in html
    # The file sent before, to keep or remove.
    assert "protocol.pdf" in html and 'name="remove_attachments"' in html


# Sending it back


def test_the_submitter_resubmits_and_it_is_back_in_moderation_with_the_new_answers(
    client, sent_back, force_user, moderator
):
    before, state = state_of(sent_back)
    mail.outbox.clear()

    response = client.post(
        respond_url(sent_back),
        form_data(
            title="Link officers for every children's home",
            outcomes="Repeat reports fell by 31% in 2023 and 36% in 2024.",
            adoption_cost="The council pays for the visits.",
        ),
    )

    assert response.status_code == 302
    assert response.url == reverse("accounts:home")
    page, resumed = state_of(sent_back)
    assert page.title == "Link officers for every children's home"
    assert page.outcomes == "<p>Repeat reports fell by 31% in 2023 and 36% in 2024.</p>"
    assert page.adoption_cost == "The council pays for the visits."
    assert not page.live
    # The same moderation, waiting for review again, of the submitter's new revision.
    assert resumed.pk == state.pk
    assert resumed.status == WorkflowState.STATUS_IN_PROGRESS
    revision = page.get_latest_revision()
    assert revision.pk != before.latest_revision_id
    assert revision.user == force_user
    assert resumed.current_task_state.revision == revision
    # The attachment sent before stays.
    assert [a.document.title for a in page.attachments.all()] == ["protocol.pdf"]
    # The NCPI team is told as for a new submission (Wagtail's notice to the moderators).
    assert any(moderator.email in email.to for email in mail.outbox)

    # The account page says so.
    html = client.get(response.url).content.decode()
    assert "to the NCPI team to review again" in html
    assert "Waiting for review" in html

    # The moderator sees it was resubmitted, by whom and when, in the page's history.
    log = PageLogEntry.objects.get(page=page, action="wagtail.workflow.resume")
    assert log.user == force_user
    client.force_login(moderator)
    history = client.get(reverse("wagtailadmin_pages:history", args=[page.pk]))
    assert "Resubmitted" in history.content.decode()

    # Approving publishes the changed case study.
    workflow_action(client, moderator, page, "approve")
    page.refresh_from_db()
    assert page.live and page.title == "Link officers for every children's home"


def test_files_sent_before_can_be_removed_and_new_ones_added(client, sent_back):
    [old] = sent_back.attachments.all()
    response = client.post(
        respond_url(sent_back),
        form_data(
            remove_attachments=[old.pk],
            attachments=[SimpleUploadedFile("template.docx", DOCX)],
        ),
    )
    assert response.status_code == 302
    page, _ = state_of(sent_back)
    [new] = page.attachments.all()
    assert new.document.title == "template.docx"
    assert new.document.collection.name == "Force submissions"


# Bad input changes nothing


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title": ""}, "title", "Enter a title"),
        ({"criteria": []}, "criteria", "Select at least one NCPI criterion"),
        ({"outcomes": "Visits\u001b[2J"}, "outcomes", "must not contain control"),
        (
            {"attachments": [pdf("tool.exe", b"MZ\x90\x00")]},
            "attachments",
            "tool.exe must be a PDF, DOCX, ODT, PPTX, XLSX, CSV or TXT file",
        ),
        (
            # One kept, five new: a case study has five at most.
            {"attachments": [pdf(f"file{n}.pdf") for n in range(5)]},
            "attachments",
            "Select 4 files or fewer, or remove some of the attachments you sent before",
        ),
        ({"remove_attachments": ["999999"]}, "remove_attachments", "Select a valid choice"),
    ],
)
def test_an_invalid_resubmission_shows_errors_and_changes_nothing(
    client, sent_back, overrides, field, message
):
    before = snapshot(sent_back)
    response = client.post(respond_url(sent_back), form_data(**{"outcomes": "New", **overrides}))
    assert response.status_code == 400
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert message in html
    assert f'href="#{field}' in html
    # What was typed is kept; the comment is still there.
    assert "Add the figures for 2024." in html
    assert snapshot(sent_back) == before


# Only the submitter, only while changes are asked for


def test_nobody_else_can_open_or_send_it(client, sent_back, force_user, moderator, force):
    before = snapshot(sent_back)
    url = respond_url(sent_back)
    colleague = make_user("colleague", force)  # same force, not the submitter
    for someone in (colleague, moderator):
        client.force_login(someone)
        assert client.get(url).status_code == 404
        assert client.post(url, form_data(title="Taken over")).status_code == 404
    # Signed out: sent to sign in, as for the submission form; nothing shown.
    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and response.url.startswith("/account/login/")
    assert client.post(url, form_data(title="Taken over")).status_code == 302
    # No such case study is the same answer as someone else's.
    client.force_login(force_user)
    assert client.get(reverse("practice_respond", args=[sent_back.pk + 1000])).status_code == 404
    assert snapshot(sent_back) == before


def test_it_cannot_be_changed_while_it_waits_for_review(client, practice_index, force_user):
    submit(client, force_user)
    page = PracticePage.objects.get()
    before = snapshot(page)

    response = client.get(respond_url(page))
    assert response.status_code == 409
    html = response.content.decode()
    assert "You cannot change this case study now" in html
    assert "is with the NCPI team for review" in html
    assert client.post(respond_url(page), form_data(title="Changed")).status_code == 409
    assert snapshot(page) == before


def test_it_cannot_be_changed_once_published_or_declined(client, sent_back, force_user, moderator):
    state = sent_back.current_workflow_state
    state.cancel(user=moderator)  # declined: an unpublished draft
    client.force_login(force_user)
    response = client.post(respond_url(sent_back), form_data(title="Changed"))
    assert response.status_code == 409
    assert "has finished reviewing" in response.content.decode()
    assert PracticePage.objects.get(pk=sent_back.pk).title != "Changed"

    sent_back.save_revision(user=moderator).publish()
    response = client.get(respond_url(sent_back))
    assert response.status_code == 409
    assert "is published" in response.content.decode()


def test_sending_it_twice_resubmits_once(client, sent_back):
    assert client.post(respond_url(sent_back), form_data(title="Once")).status_code == 302
    after_first = snapshot(sent_back)
    response = client.post(respond_url(sent_back), form_data(title="Twice"))
    assert response.status_code == 409
    assert snapshot(sent_back) == after_first
    assert PageLogEntry.objects.filter(action="wagtail.workflow.resume").count() == 1


def test_a_submitter_no_longer_in_a_force_cannot_send_it(client, sent_back, force_user):
    OrganisationMembership.objects.filter(user=force_user).delete()
    before = snapshot(sent_back)
    response = client.post(respond_url(sent_back), form_data(title="Changed"))
    assert response.status_code == 403
    assert snapshot(sent_back) == before


def test_another_force_s_officer_gets_nothing(client, sent_back):
    other = User.objects.create_user("beds", email="beds@example.police.uk")
    OrganisationMembership.objects.create(
        user=other, organisation=Organisation.objects.get(slug="bedfordshire-police")
    )
    client.force_login(other)
    assert client.get(respond_url(sent_back)).status_code == 404


def test_the_submitter_is_told_it_was_received_again(
    client, sent_back, force_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks():
        assert client.post(respond_url(sent_back), form_data()).status_code == 302
    _, state = state_of(sent_back)
    queued = OutboxMessage.objects.filter(task=email_submitter.name).order_by("pk").last()
    assert tuple(queued.args) == (state.pk, "submitted", state.current_task_state_id)

    mail.outbox.clear()
    email_submitter(*queued.args)
    email_submitter(*queued.args)  # run twice: sent once
    [email] = mail.outbox
    assert email.to == [force_user.email]
    assert "We have received your case study" in email.subject
