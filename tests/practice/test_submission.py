"""Forces submit case studies through the site; the NCPI team moderates them in Wagtail.

The emails a submitter gets are checked end to end, through a real worker and SMTP server, in
tests/e2e/test_submission_emails.py; here the email task is run directly.
"""

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail.documents import get_document_model
from wagtail.models import WorkflowState

from portal.models import OutboxMessage
from practice import views
from practice.models import PracticePage
from practice.tasks import email_submitter
from taxonomy.models import Criterion, Organisation, Theme
from tests.practice.conftest import make_user

pytestmark = pytest.mark.django_db

SUBMIT_URL = "/practice/submit/"
NINE_MB = 9 * 1024 * 1024
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
DOCX = b"PK\x03\x04" + b"\x00" * 64


@pytest.fixture(autouse=True)
def clear_rate_limits_and_media(settings, tmp_path):
    cache.clear()
    settings.MEDIA_ROOT = str(tmp_path / "media")


def pdf(name="protocol.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def form_data(**overrides):
    data = {
        "title": "Link officers for children's homes",
        "summary": "Every children's home has a named officer. Repeat missing episodes fell.",
        "partners": "Northfield Children's Services\nnorthfield health trust, Avon Fire",
        "criteria": [Criterion.objects.get(slug="initial-contact").pk],
        "themes": [Theme.objects.get(slug="missing-children").pk],
        "problem": "Children in homes went missing often.\n\nOfficers did not know the staff.",
        "approach": "A named link officer visits each home monthly.",
        "outcomes": "Repeat reports fell by 31% in 18 months.",
        "implementation": "Map every home with the council first.",
        "adoption_people": "The missing persons coordinator.",
        "adoption_cost": "Two hours of officer time per home per month.",
        "adoption_pitfalls": "Do not start without the council's list of homes.",
        "outcome": "worked",
        "stage": "evaluated-locally",
        "contact_role": "Inspector, Missing Persons Unit",
        "contact_email": "missing.persons@example.police.uk",
    }
    data.update(overrides)
    return data


def submit(client, user, **overrides):
    client.force_login(user)
    return client.post(SUBMIT_URL, form_data(**overrides))


def counts():
    return (
        PracticePage.objects.count(),
        get_document_model().objects.count(),
        WorkflowState.objects.count(),
        Organisation.objects.count(),
    )


# Who may submit


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(SUBMIT_URL)
    assert response.status_code == 302
    assert response.url == "/account/login/?next=/practice/submit/"


@pytest.mark.parametrize("kind", ["no membership", "partner organisation"])
def test_only_members_of_a_force_may_submit(client, practice_index, kind):
    organisation = None
    if kind == "partner organisation":
        organisation = Organisation.objects.create(
            name="Northfield Children's Services", kind=Organisation.Kind.PARTNER
        )
    user = make_user("someone", organisation)
    before = counts()

    client.force_login(user)
    response = client.get(SUBMIT_URL)
    assert response.status_code == 403
    assert "your account is not linked to a force" in response.content.decode()

    response = client.post(SUBMIT_URL, form_data(), format="multipart")
    assert response.status_code == 403
    assert counts() == before


def test_the_form_names_the_force_and_suggests_the_users_email(client, practice_index, force_user):
    client.force_login(force_user)
    html = client.get(SUBMIT_URL).content.decode()
    assert "Avon and Somerset Constabulary" in html
    assert 'value="force-officer@example.police.uk"' in html
    assert 'enctype="multipart/form-data"' in html
    assert 'type="file" multiple' in html


# Bad input changes nothing


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title": "", "criteria": []}, "title", "Enter a title"),
        ({"criteria": []}, "criteria", "Select at least one NCPI criterion"),
        ({"outcome": ""}, "outcome", "Select whether it worked"),
        ({"contact_email": "not-an-address"}, "contact_email", "Enter an email address in the"),
        (
            {"attachments": [pdf("tool.exe", b"MZ\x90\x00")]},
            "attachments",
            "tool.exe must be a PDF, DOCX, ODT, PPTX, XLSX, CSV or TXT file",
        ),
        (
            {"attachments": [pdf("evaluation.pdf", b"<html>not a pdf</html>")]},
            "attachments",
            "evaluation.pdf is not a valid PDF file",
        ),
        (
            {"attachments": [pdf("template.docx", PDF)]},
            "attachments",
            "template.docx is not a valid DOCX file",
        ),
        (
            {"attachments": [pdf("big.pdf", PDF + b"0" * (10 * 1024 * 1024))]},
            "attachments",
            "big.pdf must be smaller than 10MB",
        ),
        (
            {"attachments": [pdf(f"part{n}.pdf", PDF + b"0" * NINE_MB) for n in range(3)]},
            "attachments",
            "The selected files must be smaller than 25MB in total",
        ),
        (
            {"attachments": [pdf(f"file{n}.pdf") for n in range(6)]},
            "attachments",
            "Select 5 files or fewer",
        ),
        # A title becomes email subjects: one line, no control characters.
        ({"title": "Link officers\r\nBcc: everyone"}, "title", "Title must be on one line"),
        ({"contact_role": "Inspector\u0000"}, "contact_role", "must not contain control"),
        ({"summary": "Visits\u001b[2J"}, "summary", "Summary must not contain control"),
        ({"partners": "Avon Fire\tand Rescue"}, "partners", "name must not contain control"),
    ],
)
def test_invalid_submissions_show_errors_and_create_nothing(
    client, practice_index, force_user, overrides, field, message
):
    before = counts()
    response = submit(client, force_user, **overrides)

    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    # The error summary links to the field with the problem.
    assert f'href="#{field}' in html
    assert "govuk-error-summary" in html
    assert counts() == before


def test_what_was_entered_is_kept_when_there_is_an_error(client, practice_index, force_user):
    response = submit(client, force_user, contact_role="")
    html = response.content.decode()
    assert "Enter a contact role" in html
    assert "Repeat reports fell by 31% in 18 months." in html
    criterion = Criterion.objects.get(slug="initial-contact")
    assert f'value="{criterion.pk}" checked' in html


# A valid submission is a draft in moderation


def test_a_valid_submission_becomes_a_draft_in_moderation(
    client, practice_index, force_user, force
):
    existing_partner = Organisation.objects.create(
        name="Northfield Health Trust", kind=Organisation.Kind.PARTNER
    )
    response = submit(
        client,
        force_user,
        attachments=[pdf("protocol.pdf"), SimpleUploadedFile("template.docx", DOCX)],
    )
    assert response.status_code == 302
    assert response.url == reverse("practice_submitted")

    page = PracticePage.objects.get()
    assert page.title == "Link officers for children's homes"
    assert not page.live
    assert page.owner == force_user
    assert page.force == force
    assert page.get_parent().specific == practice_index
    assert page.problem == (
        "<p>Children in homes went missing often.</p><p>Officers did not know the staff.</p>"
    )
    assert page.contact_email == "missing.persons@example.police.uk"
    assert [c.slug for c in page.criteria.all()] == ["initial-contact"]
    # Partners: an existing organisation is matched whatever its case; new names are created.
    partners = {p.name: p for p in page.partners.all()}
    assert set(partners) == {
        "Northfield Children's Services",
        "Northfield Health Trust",
        "Avon Fire",
    }
    assert partners["Northfield Health Trust"] == existing_partner
    assert partners["Avon Fire"].kind == Organisation.Kind.PARTNER

    # In moderation, with the submitter as the requester.
    state = page.current_workflow_state
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert state.requested_by == force_user
    assert page.get_latest_revision().user == force_user

    # Attachments are documents the public cannot fetch before moderation.
    documents = [a.document for a in page.attachments.all()]
    assert sorted(d.title for d in documents) == ["protocol.pdf", "template.docx"]
    assert {d.collection.name for d in documents} == {"Force submissions"}
    client.logout()
    download = client.get(documents[0].url)
    assert download.status_code in (302, 403)

    # Not public: neither the page nor the listing shows it.
    assert client.get(page.url or f"{practice_index.url}{page.slug}/").status_code == 404
    assert "Link officers for children" not in client.get(practice_index.url).content.decode()


def test_the_confirmation_page_says_what_happens_next(client, practice_index, force_user):
    response = submit(client, force_user)
    page = client.get(response.url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "Case study submitted" in html
    assert "Link officers for children" in html
    assert "What happens next" in html


def test_submissions_are_rate_limited_per_user(client, practice_index, force_user, monkeypatch):
    monkeypatch.setattr(views, "SUBMISSION_RATE", "2/d")
    assert submit(client, force_user, title="One").status_code == 302
    assert submit(client, force_user, title="Two").status_code == 302
    assert submit(client, force_user, title="Three").status_code == 429
    assert PracticePage.objects.count() == 2
    # Another force's officer is not held up by this one.
    other = make_user("other-officer", Organisation.objects.get(slug="bedfordshire-police"))
    assert submit(client, other, title="Four").status_code == 302


# Moderation in the Wagtail admin


def workflow_action(client, moderator, page, action, comment=""):
    client.force_login(moderator)
    task_state = page.current_workflow_state.current_task_state
    url = reverse("wagtailadmin_pages:workflow_action", args=(page.pk, action, task_state.pk))
    response = client.post(url, {"comment": comment})
    assert response.status_code == 302
    return task_state


def test_a_moderator_approving_publishes_the_submission(
    client, practice_index, force_user, moderator
):
    submit(client, force_user, attachments=[pdf("protocol.pdf")])
    page = PracticePage.objects.get()
    mail.outbox.clear()

    workflow_action(client, moderator, page, "approve")

    page.refresh_from_db()
    assert page.live
    assert page.current_workflow_state is None
    client.logout()
    assert client.get(page.url).status_code == 200
    assert "Link officers for children" in client.get(practice_index.url).content.decode()
    # Its documents are public now, as the published page links to them.
    document = page.attachments.get().document
    assert document.collection.name != "Force submissions"
    assert client.get(document.url).status_code == 200
    # Wagtail's own notification (with links into an admin the submitter cannot use) is off.
    assert [m for m in mail.outbox if force_user.email in m.to] == []


def test_a_moderator_can_ask_for_changes_with_a_comment(
    client, practice_index, force_user, moderator
):
    submit(client, force_user)
    page = PracticePage.objects.get()

    task_state = workflow_action(client, moderator, page, "reject", "Add the 2024 figures.")

    page.refresh_from_db()
    assert not page.live
    assert page.current_workflow_state.status == WorkflowState.STATUS_NEEDS_CHANGES
    mail.outbox.clear()
    email_submitter(page.current_workflow_state.pk, "changes-requested", task_state.pk)
    [email] = mail.outbox
    assert email.to == [force_user.email]
    assert "Changes needed" in email.subject
    assert "Add the 2024 figures." in email.body


def test_cancelling_moderation_tells_the_submitter_it_will_not_be_published(
    client, practice_index, force_user, moderator
):
    submit(client, force_user)
    page = PracticePage.objects.get()
    workflow_action(client, moderator, page, "reject", "This is not about child protection.")
    state = page.current_workflow_state
    state.cancel(user=moderator)

    mail.outbox.clear()
    email_submitter(state.pk, "rejected")
    [email] = mail.outbox
    assert "will not be published" in email.subject
    # The reason the moderator gave when they sent it back is quoted.
    assert "This is not about child protection." in email.body
    page.refresh_from_db()
    assert not page.live


def test_restarting_moderation_is_not_a_rejection(client, practice_index, force_user, moderator):
    submit(client, force_user)
    page = PracticePage.objects.get()
    state = page.current_workflow_state
    state.cancel(user=moderator)
    page.get_workflow().start(page, moderator)

    mail.outbox.clear()
    email_submitter(state.pk, "rejected")
    assert mail.outbox == []


def test_each_email_is_sent_once_even_if_the_task_runs_twice(client, practice_index, force_user):
    submit(client, force_user)
    state = PracticePage.objects.get().current_workflow_state
    mail.outbox.clear()

    email_submitter(state.pk, "submitted")
    email_submitter(state.pk, "submitted")

    [email] = mail.outbox
    assert email.to == [force_user.email]
    assert "We have received your case study" in email.subject


def queued_submitter_emails():
    """The submitter emails recorded in the outbox, to go to Celery once their transaction
    commits (portal/outbox.py)."""
    return [
        tuple(message.args)
        for message in OutboxMessage.objects.filter(task=email_submitter.name).order_by("pk")
    ]


def test_only_force_submissions_queue_submitter_emails(
    client,
    practice_index,
    make_practice,
    force_user,
    moderator,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks():
        submit(client, force_user)
    state = PracticePage.objects.get().current_workflow_state
    assert queued_submitter_emails() == [(state.pk, "submitted", None)]

    # A page an NCPI editor sends to moderation in the admin gets Wagtail's notifications only.
    page = make_practice()
    page.save_revision(user=moderator)
    with django_capture_on_commit_callbacks():
        page.get_workflow().start(page, moderator)
    assert queued_submitter_emails() == [(state.pk, "submitted", None)]


# Signing in


def test_sign_in_page_signs_force_staff_in_and_goes_on_to_the_form(
    client, practice_index, force_user, redis_available
):
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(
        user=force_user, email=force_user.email, verified=True, primary=True
    )
    response = client.get("/account/login/?next=/practice/submit/")
    assert response.status_code == 200
    assert "Sign in" in response.content.decode()

    response = client.post(
        "/account/login/",
        {"login": force_user.email, "password": "wrong-password", "next": SUBMIT_URL},
    )
    html = response.content.decode()
    assert "password you specified are not correct" in html
    assert "wrong-password" not in html

    response = client.post(
        "/account/login/",
        {"login": force_user.email, "password": "a-long-test-password", "next": SUBMIT_URL},
    )
    assert response.status_code == 302
    assert response.url == SUBMIT_URL
    assert client.get(SUBMIT_URL).status_code == 200
