"""Managing without an account: signed links, change or remove topics, download, erase, and
RFC 8058 one-click unsubscribe."""

import datetime as dt
import json
import re

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from newsletters import links
from newsletters.models import Subscriber
from newsletters.tasks import erase_unsubscribed
from tests.e2e.conftest import celery_worker  # noqa: F401 - fixture
from tests.workers import wait_until_idle

pytestmark = pytest.mark.django_db


def manage_path(subscriber):
    return f"/newsletters/manage/{links.make_token(subscriber, links.MANAGE_SALT)}/"


def unsubscribe_path(subscriber):
    return f"/newsletters/unsubscribe/{links.make_token(subscriber, links.UNSUBSCRIBE_SALT)}/"


def test_manage_page_lists_changes_and_removes_subscriptions(
    client, make_subscriber, criterion, other_criterion
):
    subscriber = make_subscriber(topics=[criterion, other_criterion, "events"])
    path = manage_path(subscriber)
    page = client.get(path).content.decode()
    assert subscriber.email in page
    assert f"NCPI criterion: {criterion.name}" in page
    assert "All new learning events" in page

    first, second, events = subscriber.subscriptions.order_by("pk")
    response = client.post(
        path, {"subscription": first.pk, "action": "change", "frequency": "monthly"}
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.frequency == "monthly"

    client.post(path, {"subscription": events.pk, "action": "remove"})
    assert list(subscriber.subscriptions.values_list("pk", flat=True)) == [first.pk, second.pk]

    bad = client.post(path, {"subscription": second.pk, "action": "change", "frequency": "x"})
    assert bad.status_code == 400
    second.refresh_from_db()
    assert second.frequency == "immediate"


def test_one_subscriber_cannot_touch_anothers_subscriptions(client, make_subscriber, criterion):
    mine = make_subscriber(topics=[criterion])
    theirs = make_subscriber(topics=[criterion])
    their_topic = theirs.subscriptions.get()
    client.post(manage_path(mine), {"subscription": their_topic.pk, "action": "remove"})
    assert theirs.subscriptions.filter(pk=their_topic.pk).exists()


@pytest.mark.parametrize("key", ["abc", "1e3", "\u0663", "9" * 5000, "99999999999999999999"])
def test_a_malformed_subscription_key_changes_nothing(client, make_subscriber, criterion, key):
    subscriber = make_subscriber(topics=[criterion])
    response = client.post(
        manage_path(subscriber), {"subscription": key, "action": "remove"}, follow=True
    )
    assert response.status_code == 200
    assert "That subscription no longer exists" in response.content.decode()
    assert subscriber.subscriptions.count() == 1


def test_bad_or_stale_links_show_a_helpful_404(client, make_subscriber):
    subscriber = make_subscriber()
    assert client.get("/newsletters/manage/not-a-token/").status_code == 404
    wrong_kind = links.make_token(subscriber, links.CONFIRM_SALT)
    assert client.get(f"/newsletters/manage/{wrong_kind}/").status_code == 404
    path = manage_path(subscriber)
    Subscriber.objects.filter(pk=subscriber.pk).update(token="rotated")
    response = client.get(path)
    assert response.status_code == 404
    assert b"This link does not work" in response.content


def test_subscriber_can_download_their_data(client, make_subscriber, criterion):
    subscriber = make_subscriber(email="me@force.police.example", topics=[criterion])
    response = client.get(manage_path(subscriber) + "data.json")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["email"] == "me@force.police.example"
    assert data["subscriptions"][0]["topic"] == f"NCPI criterion: {criterion.name}"


def test_subscriber_can_erase_their_data(client, make_subscriber, criterion):
    subscriber = make_subscriber(topics=[criterion])
    path = manage_path(subscriber)
    assert client.get(path + "erase/").status_code == 200
    assert Subscriber.objects.filter(pk=subscriber.pk).exists()
    response = client.post(path + "erase/")
    assert b"Your data has been erased" in response.content
    assert not Subscriber.objects.filter(pk=subscriber.pk).exists()
    assert client.get(path).status_code == 404


def test_a_get_only_asks_and_a_one_click_post_unsubscribes(make_subscriber, criterion):
    subscriber = make_subscriber(topics=[criterion])
    # A mail client posts without cookies or CSRF token (RFC 8058).
    client = Client(enforce_csrf_checks=True)
    path = unsubscribe_path(subscriber)
    assert client.get(path).status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == "active"

    response = client.post(
        path,
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == "unsubscribed"
    assert subscriber.unsubscribed_at is not None
    assert not subscriber.subscriptions.exists()
    assert client.post("/newsletters/unsubscribe/forged/").status_code == 404


def test_unsubscribed_addresses_are_erased_after_28_days(make_subscriber):
    gone = make_subscriber(status="unsubscribed", unsubscribed_at=timezone.now())
    staying = make_subscriber()
    with time_machine.travel(timezone.now() + dt.timedelta(days=27)):
        assert erase_unsubscribed() == 0
    with time_machine.travel(timezone.now() + dt.timedelta(days=29)):
        assert erase_unsubscribed() == 1
    assert not Subscriber.objects.filter(pk=gone.pk).exists()
    assert Subscriber.objects.filter(pk=staying.pk).exists()


def test_unsubscribing_reveals_nothing_about_the_subscriber(make_subscriber, criterion):
    """The unsubscribe link is in every email, forwarded ones too: its pages must not show the
    address or lead to the subscriber's data."""
    subscriber = make_subscriber(email="private.person@force.police.example", topics=[criterion])
    client = Client(enforce_csrf_checks=True)
    path = unsubscribe_path(subscriber)
    asked = client.get(path).content.decode()
    done = client.post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    ).content.decode()
    for page in (asked, done):
        assert "private.person" not in page
        assert "/newsletters/manage/" not in page
        assert "data.json" not in page
        assert "/erase/" not in page
    # What it may say: when the address goes, and how to subscribe again.
    erase_on = timezone.localdate() + dt.timedelta(days=28)
    assert f"everything we hold about it on {erase_on:%-d %B %Y}" in done
    assert 'href="/newsletters/subscribe/"' in done


def test_manage_links_expire_after_30_days(client, make_subscriber, criterion):
    subscriber = make_subscriber(email="old.link@force.police.example", topics=[criterion])
    with time_machine.travel(timezone.now() - dt.timedelta(days=31)):
        path = manage_path(subscriber)
    for response in (
        client.get(path),
        client.get(path + "data.json"),
        client.post(path, {"subscription": subscriber.subscriptions.get().pk, "action": "remove"}),
        client.post(path + "erase/"),
    ):
        assert response.status_code == 410
        page = response.content.decode()
        assert "This link has expired" in page
        assert "old.link" not in page
    assert subscriber.subscriptions.exists()
    assert Subscriber.objects.filter(pk=subscriber.pk).exists()
    # A link 29 days old still works.
    with time_machine.travel(timezone.now() - dt.timedelta(days=29)):
        path = manage_path(subscriber)
    assert client.get(path).status_code == 200


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_expired_manage_link_can_have_a_new_one_emailed_once_per_cooldown(
    celery_worker,  # noqa: F811
    sink,
    client,
    make_subscriber,
    criterion,
    postgres,
):
    subscriber = make_subscriber(email="old.link@force.police.example", topics=[criterion])
    with time_machine.travel(timezone.now() - dt.timedelta(days=31)):
        path = manage_path(subscriber)
    answers = {
        re.sub(rb'nonce="[^"]+"', b"", client.post(path + "new-link/").content) for _ in range(3)
    }
    assert len(answers) == 1
    assert b"Check your email" in answers.pop()
    wait_until_idle()
    assert sink.per_recipient() == {"old.link@force.police.example": 1}
    body = sink.messages[0][1].get_body(preferencelist=("plain",)).get_content()
    fresh = re.search(r"http://testserver(/newsletters/manage/\S+/)", body).group(1)
    assert "old.link@force.police.example" in client.get(fresh).content.decode()
