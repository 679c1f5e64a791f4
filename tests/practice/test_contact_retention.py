"""Contact messages are deleted a set time after they were relayed to the originator."""

import datetime as dt

import pytest
from django.utils import timezone

from practice.models import ContactMessage
from practice.tasks import delete_old_contact_messages

pytestmark = pytest.mark.django_db


def message(page, sent_days_ago=None, written_days_ago=0):
    contact = ContactMessage.objects.create(
        page=page,
        name="Sam Carter",
        email="sam@council.example",
        organisation="A council",
        message="Could we talk about your link officers?",
    )
    now = timezone.now()
    ContactMessage.objects.filter(pk=contact.pk).update(
        created_at=now - dt.timedelta(days=written_days_ago),
        sent_at=None if sent_days_ago is None else now - dt.timedelta(days=sent_days_ago),
    )
    return contact.pk


def test_relayed_messages_go_after_the_set_time_and_recent_ones_stay(make_practice, settings):
    settings.PRACTICE_CONTACT_MESSAGES_KEEP_DAYS = 30
    page = make_practice()
    relayed_long_ago = message(page, sent_days_ago=31, written_days_ago=31)
    never_relayed = message(page, sent_days_ago=None, written_days_ago=40)
    relayed_recently = message(page, sent_days_ago=2, written_days_ago=40)
    waiting = message(page, sent_days_ago=None, written_days_ago=0)

    assert delete_old_contact_messages() == 2
    assert delete_old_contact_messages() == 0
    remaining = set(ContactMessage.objects.values_list("pk", flat=True))
    assert remaining == {relayed_recently, waiting}
    assert not {relayed_long_ago, never_relayed} & remaining


def test_the_retention_tasks_run_daily(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {
        "practice.tasks.delete_old_contact_messages",
        "events.tasks.anonymise_past_registrations",
        "search.tasks.roll_up_search_log",
        "newsletters.tasks.erase_unsubscribed",
    } <= tasks
