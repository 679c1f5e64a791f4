"""A force's submitter is emailed at each step of moderation, through a real Celery worker and a
real SMTP server: received, published, changes requested (with the comment), not published."""

import time

import pytest
from django.contrib.auth.models import Group, User
from django.core.cache import cache
from django.urls import reverse

from portal.links import page_url
from practice.models import PracticePage
from taxonomy.models import Criterion, Organisation, OrganisationMembership

# Worker and test share committed data; restore the migrations' data (site, taxonomy) after.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SUBMITTER = "sam.officer@example.police.uk"


@pytest.fixture
def people(postgres):
    cache.clear()  # the email task's sent-marks and the rate-limit counters
    submitter = User.objects.create_user("sam", email=SUBMITTER, first_name="Sam")
    OrganisationMembership.objects.create(
        user=submitter,
        organisation=Organisation.objects.get(slug="avon-and-somerset-constabulary"),
    )
    moderator = User.objects.create_user("ncpi", email="ncpi@example.gov.uk")
    moderator.groups.add(Group.objects.get(name="Moderators"))
    return submitter, moderator


def submit(client, submitter, title):
    client.force_login(submitter)
    response = client.post(
        "/practice/submit/",
        {
            "title": title,
            "summary": "Every children's home has a named officer.",
            "criteria": [Criterion.objects.get(slug="initial-contact").pk],
            "problem": "Children in homes went missing often.",
            "approach": "A named link officer visits each home monthly.",
            "outcomes": "Repeat reports fell by 31%.",
            "outcome": "worked",
            "stage": "untested",
            "contact_role": "Inspector, Missing Persons Unit",
            "contact_email": "mpu@example.police.uk",
        },
    )
    assert response.status_code == 302
    return PracticePage.objects.get(title=title)


def moderate(client, moderator, page, action, comment=""):
    client.force_login(moderator)
    task_state = page.current_workflow_state.current_task_state
    url = reverse("wagtailadmin_pages:workflow_action", args=(page.pk, action, task_state.pk))
    assert client.post(url, {"comment": comment}).status_code == 302


def emails_to_submitter(smtp_sink, count, timeout=30):
    """The submitter's emails, once `count` have arrived (moderators get Wagtail's own too)."""
    deadline = time.monotonic() + timeout
    while True:
        mine = [email for rcpt, email in smtp_sink.messages if rcpt == [SUBMITTER]]
        if len(mine) >= count or time.monotonic() >= deadline:
            return mine
        time.sleep(0.1)


def body(email):
    return email.get_body(preferencelist=("plain",)).get_content()


def test_submitter_is_told_it_was_received_and_then_published(
    celery_worker, smtp_sink, client, practice_index, people, settings
):
    submitter, moderator = people
    page = submit(client, submitter, "Link officers for children's homes")

    [received] = emails_to_submitter(smtp_sink, 1)
    assert received["Subject"] == (
        "We have received your case study: Link officers for children's homes"
    )
    assert received["Reply-To"] == settings.NCPI_TEAM_EMAIL
    assert "It is not public until they approve it" in body(received)

    moderate(client, moderator, page, "approve")

    received_again, published = emails_to_submitter(smtp_sink, 2)
    assert received_again is received
    assert published["Subject"] == (
        "Your case study is published: Link officers for children's homes"
    )
    page.refresh_from_db()
    assert page.live
    assert page_url(page) in body(published)
    # Only the portal's emails: Wagtail's approval notice (admin links) is not sent to force staff.
    time.sleep(1)
    assert len(emails_to_submitter(smtp_sink, 2, timeout=0)) == 2


def test_submitter_is_told_what_to_change_and_when_it_will_not_be_published(
    celery_worker, smtp_sink, client, practice_index, people
):
    submitter, moderator = people
    page = submit(client, submitter, "Joint visits with social workers")
    emails_to_submitter(smtp_sink, 1)

    moderate(client, moderator, page, "reject", "Add the figures for 2024, please.")

    changes = emails_to_submitter(smtp_sink, 2)[1]
    assert (
        changes["Subject"] == "Changes needed to your case study: Joint visits with social workers"
    )
    assert "Add the figures for 2024, please." in body(changes)

    # The NCPI team decides against it: cancelling moderation leaves an unpublished draft.
    page.refresh_from_db()
    page.current_workflow_state.cancel(user=moderator)

    rejected = emails_to_submitter(smtp_sink, 3)[2]
    assert rejected["Subject"] == (
        "Your case study will not be published: Joint visits with social workers"
    )
    assert "decided not to publish it" in body(rejected)
    page.refresh_from_db()
    assert not page.live
