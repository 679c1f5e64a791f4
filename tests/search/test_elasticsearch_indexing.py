"""With SEARCH_BACKEND = "elasticsearch", Elasticsearch follows publishing through the search
app's Celery task, run by a real worker on Redis after each commit."""

import time

import pytest
from wagtail.models import PageViewRestriction

from portal import visibility
from search import service
from search.backends.elasticsearch import alias
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


def found(query, user=None):
    results = service.search(query, user=user, backend="elasticsearch", log=False)
    return [hit.title for hit in results.hits]


@pytest.mark.usefixtures("postgres")
def test_elasticsearch_follows_publish_privacy_unpublish_and_delete(
    elasticsearch_backend, celery_worker, make_practice, practice_index, police_user
):
    page = make_practice(title="Grab packs")
    assert wait_for(lambda: found("grab") == ["Grab packs"])

    restriction = PageViewRestriction.objects.create(
        page=practice_index, restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.set([visibility.police_group()])
    assert wait_for(lambda: found("grab") == [])
    assert found("grab", user=police_user) == ["Grab packs"]
    restriction.delete()
    assert wait_for(lambda: found("grab") == ["Grab packs"])

    page.title = "Grab packs, revised"
    page.save_revision().publish()
    assert wait_for(lambda: found("grab") == ["Grab packs, revised"])

    page.unpublish()
    assert wait_for(lambda: found("grab") == [])
    page.save_revision().publish()
    assert wait_for(lambda: found("grab") == ["Grab packs, revised"])
    page.delete()
    assert wait_for(lambda: elasticsearch_backend.client.count(index=alias())["count"] == 0)
