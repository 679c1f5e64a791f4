"""The NCPI team is told when an issue features pages its subscribers may not see."""

import pytest
from django.contrib.auth import get_user_model
from wagtail.models import PageViewRestriction

from newsletters.models import NewsletterIssue
from portal import visibility

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client):
    user = get_user_model().objects.create_superuser("editor", "editor@ncpi.example", "pw")
    client.force_login(user)
    return client


@pytest.fixture
def issue_with_hidden_pages(make_practice):
    public = make_practice(title="Open joint visits")
    police = make_practice(title="Covert tactics")
    PageViewRestriction.objects.create(
        page=police, restriction_type=PageViewRestriction.GROUPS
    ).groups.set([visibility.police_group()])
    withdrawn = make_practice(title="Withdrawn practice")
    withdrawn.unpublish()
    return NewsletterIssue.objects.create(
        title="Winter issue",
        body=[("featured", {"heading": "New", "pages": [public, police, withdrawn]})],
    )


def test_the_send_page_lists_pages_that_every_copy_leaves_out(
    editor_client, issue_with_hidden_pages
):
    page = editor_client.get(f"/admin/newsletters/issues/{issue_with_hidden_pages.pk}/send/")
    warning = page.content.decode().split('id="hidden-choices"')[1].split("</div>")[0]
    assert "Covert tactics: only for police users" in warning
    assert "Withdrawn practice: not published" in warning
    assert "Open joint visits" not in warning


def test_saving_an_issue_warns_the_editor(editor_client, make_practice):
    police = make_practice(title="Covert tactics")
    PageViewRestriction.objects.create(page=police, restriction_type=PageViewRestriction.LOGIN)
    issue = NewsletterIssue.objects.create(title="Draft", body=[])
    url = f"/admin/snippets/newsletters/newsletterissue/edit/{issue.pk}/"
    form = {
        "title": "Draft",
        "summary": "",
        "organisation_type": "",
        "body-count": "1",
        "body-0-deleted": "",
        "body-0-order": "0",
        "body-0-type": "featured",
        "body-0-id": "a",
        "body-0-value-heading": "New",
        "body-0-value-pages-count": "1",
        "body-0-value-pages-0-value": str(police.pk),
        "body-0-value-pages-0-deleted": "",
        "body-0-value-pages-0-order": "0",
        "body-0-value-pages-0-id": "b",
    }
    response = editor_client.post(url, form, follow=True)
    assert response.status_code == 200
    shown = [str(m) for m in response.context["messages"]]
    assert any("Covert tactics (only for signed-in users)" in m for m in shown), shown
