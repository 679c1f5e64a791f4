"""Subscribers never hear about practice restricted to police users through alerts."""

import pytest
from wagtail.models import PageViewRestriction

from portal import visibility

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery", "clean_cache")]


def test_publishing_police_only_practice_alerts_nobody(
    sink, make_practice, make_subscriber, criterion, django_capture_on_commit_callbacks
):
    make_subscriber(email="partner@council.example", topics=[criterion])
    page = make_practice(title="Police-only tactics")
    PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.GROUPS
    ).groups.set([visibility.police_group()])
    sink.messages.clear()
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()
    assert not any("Police-only tactics" in str(m) for _, m in sink.messages)

    # The same subscriber does hear about public practice: the alert path works.
    with django_capture_on_commit_callbacks(execute=True):
        make_practice(title="Public joint visits")
    assert any("Public joint visits" in str(m) for _, m in sink.messages)
