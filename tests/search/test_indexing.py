"""Indexing follows publishing, through a real Celery worker after each commit: publish,
unpublish, privacy changes, moves and deletion."""

import time

import pytest
from wagtail.models import PageViewRestriction

from portal import visibility
from search.models import Restriction, SearchDocument
from tests.e2e import conftest as e2e

# Worker and test share committed data; restore the migrations' data (site, taxonomy) after.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
# The real worker from tests/e2e, shared rather than copied.
celery_worker = e2e.celery_worker


def wait_for(condition, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def document(page):
    return SearchDocument.objects.filter(page_id=page.pk).first()


def restriction_of_document(page):
    found = document(page)
    return found and found.restriction


@pytest.mark.usefixtures("celery_worker", "postgres")
def test_index_follows_publish_privacy_unpublish_and_delete(make_practice, practice_index):
    page = make_practice(title="Grab packs")
    assert wait_for(lambda: document(page) is not None)
    assert document(page).restriction == Restriction.PUBLIC

    # A privacy change on the listing applies to every page below it.
    restriction = PageViewRestriction.objects.create(
        page=practice_index, restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.set([visibility.police_group()])
    assert wait_for(lambda: restriction_of_document(page) == Restriction.POLICE)
    restriction.delete()
    assert wait_for(lambda: restriction_of_document(page) == Restriction.PUBLIC)

    page.title = "Grab packs, revised"
    page.save_revision().publish()
    assert wait_for(lambda: document(page).title == "Grab packs, revised")

    page.unpublish()
    assert wait_for(lambda: document(page) is None)
    page.save_revision().publish()
    assert wait_for(lambda: document(page) is not None)
    page.delete()
    assert wait_for(lambda: not SearchDocument.objects.exists())


@pytest.mark.usefixtures("celery_worker", "postgres")
def test_index_follows_groups_given_to_a_restriction_after_it_is_saved(
    make_practice, practice_index
):
    """Wagtail's privacy form saves the restriction, then its groups: indexing must follow the
    groups too, or a page stays out of police users' search (or keeps a level it no longer has)."""
    page = make_practice(title="Grab packs")
    assert wait_for(lambda: document(page) is not None)
    restriction = PageViewRestriction.objects.create(
        page=practice_index, restriction_type=PageViewRestriction.GROUPS
    )
    # A group restriction without groups lets nobody in: the page leaves the index.
    assert wait_for(lambda: document(page) is None)

    restriction.groups.set([visibility.police_group()])
    assert wait_for(lambda: restriction_of_document(page) == Restriction.POLICE)

    restriction.groups.clear()
    assert wait_for(lambda: document(page) is None)
