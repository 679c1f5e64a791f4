"""Alerts on publish and weekly or monthly digests: one email per subscriber, never the same
item twice, nothing when there is nothing new. Sent through a real SMTP sink."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from newsletters.models import Delivery, Mailing, SentItem
from newsletters.tasks import send_digests
from portal.links import page_url

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery", "clean_cache")]


def publish(make, capture, **fields):
    with capture(execute=True):
        return make(**fields)


def test_a_line_break_in_a_title_does_not_stop_its_alert(
    sink, make_practice, make_subscriber, criterion, django_capture_on_commit_callbacks
):
    # A title edited in the admin may hold one; Django refuses it in a subject, which left the
    # delivery pending for ever.
    subscriber = make_subscriber(topics=[criterion])
    publish(make_practice, django_capture_on_commit_callbacks, title="Joint visits\r\nfor homes")
    assert sink.per_recipient() == {subscriber.email: 1}
    _recipients, message = sink.messages[0]
    assert (
        message["Subject"] == "New on the Safeguarding Practice Exchange: Joint visits for homes"
    )
    assert not Delivery.objects.filter(status=Delivery.Status.PENDING).exists()


def test_publishing_alerts_each_matching_subscriber_once(
    sink,
    make_practice,
    make_subscriber,
    criterion,
    other_criterion,
    django_capture_on_commit_callbacks,
):
    from taxonomy.models import Theme

    theme = Theme.objects.get(slug="missing-children")
    many = make_subscriber(
        email="many@force.police.example",
        topics=[criterion, theme, ("search", "practice", f"criterion={criterion.slug}")],
    )
    make_subscriber(email="other@force.police.example", topics=[other_criterion])
    make_subscriber(email="weekly@force.police.example", topics=[criterion], frequency="weekly")
    make_subscriber(email="pending@force.police.example", topics=[criterion], status="pending")

    page = publish(make_practice, django_capture_on_commit_callbacks, title="Joint visits")

    assert sink.per_recipient() == {many.email: 1}
    recipients, message = sink.messages[0]
    assert "Joint visits" in message["Subject"]
    assert (
        message["List-Unsubscribe"]
        .strip()
        .startswith("<http://testserver/newsletters/unsubscribe/")
    )
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html = message.get_body(preferencelist=("html",)).get_content()
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "<style" not in html and 'style="' in html  # CSS inlined for mail clients
    assert page_url(page) in html and page_url(page) in text
    assert 'lang="en-gb"' in html

    # Publishing again tells nobody twice.
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()
    assert sink.per_recipient() == {many.email: 1}
    assert Delivery.objects.get().status == "sent"


def test_events_subscribers_hear_about_events_not_practice(
    sink,
    make_event,
    make_practice,
    make_subscriber,
    other_criterion,
    django_capture_on_commit_callbacks,
):
    fan = make_subscriber(email="events@force.police.example", topics=["events"])
    publish(make_practice, django_capture_on_commit_callbacks, criteria=[other_criterion])
    assert sink.per_recipient() == {}
    publish(make_event, django_capture_on_commit_callbacks, title="Webinar on exploitation")
    assert sink.per_recipient() == {fan.email: 1}
    assert "Webinar on exploitation" in sink.messages[0][1]["Subject"]


def test_weekly_digest_merges_subscriptions_and_skips_what_was_sent(
    sink,
    make_practice,
    make_event,
    make_subscriber,
    criterion,
    other_criterion,
    django_capture_on_commit_callbacks,
):
    weekly = make_subscriber(
        email="weekly@force.police.example", topics=[criterion, "events"], frequency="weekly"
    )
    both = make_subscriber(email="both@force.police.example", topics=[criterion])
    from newsletters.models import Subscription

    Subscription.objects.create(subscriber=both, kind="events", frequency="weekly", active=True)
    publish(make_practice, django_capture_on_commit_callbacks, title="Practice A")
    publish(
        make_event, django_capture_on_commit_callbacks, title="Event B", criteria=[other_criterion]
    )
    # "both" got practice A as an alert (immediate, criterion); the event waits for the digest.
    assert sink.per_recipient() == {both.email: 1}

    with django_capture_on_commit_callbacks(execute=True):
        assert send_digests("weekly") == 2
    counts = sink.per_recipient()
    assert counts == {both.email: 2, weekly.email: 1}
    digest = next(m for r, m in sink.messages if r == [weekly.email])
    text = digest.get_body(preferencelist=("plain",)).get_content()
    assert "Practice A" in text and "Event B" in text
    both_digest = [m for r, m in sink.messages if r == [both.email]][1]
    both_text = both_digest.get_body(preferencelist=("plain",)).get_content()
    assert "Event B" in both_text and "Practice A" not in both_text

    # Running the beat task again, or next week with nothing new, sends nothing.
    with django_capture_on_commit_callbacks(execute=True):
        send_digests("weekly")
    with time_machine.travel(timezone.now() + dt.timedelta(days=7)):
        with django_capture_on_commit_callbacks(execute=True):
            assert send_digests("weekly") == 0
    assert sink.per_recipient() == counts
    assert SentItem.objects.filter(subscriber=weekly).count() == 2


def test_digest_is_skipped_when_nothing_is_new(make_subscriber, criterion):
    make_subscriber(topics=[criterion], frequency="monthly")
    assert send_digests("monthly") == 0
    assert not Mailing.objects.exists()
