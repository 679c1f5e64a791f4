"""Signing up: double opt-in, no enumeration, rate limits, saved searches, expiry."""

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from newsletters import links
from newsletters.models import Subscriber, Subscription
from newsletters.tasks import expire_unconfirmed

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clean_cache", "eager_celery")]
SUBSCRIBE = "/newsletters/subscribe/"


def sign_up(client, django_capture_on_commit_callbacks, **overrides):
    data = {
        "email": "Officer@Force.Police.Example",
        "organisation_type": "force",
        "criteria": ["initial-contact"],
        "frequency": "weekly",
        **overrides,
    }
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(SUBSCRIBE, data)


def confirm_link(message):
    return re.search(r"http://testserver(/newsletters/confirm/[^/\s]+/)", message.body).group(1)


def test_sign_up_needs_confirmation_by_email(client, django_capture_on_commit_callbacks):
    response = sign_up(client, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert response["Location"] == reverse("newsletters:subscribe_done")

    subscriber = Subscriber.objects.get()
    assert subscriber.email == "officer@force.police.example"
    assert subscriber.status == "pending"
    topic = subscriber.subscriptions.get()
    assert (topic.kind, topic.criterion.slug, topic.frequency, topic.active) == (
        "criterion",
        "initial-contact",
        "weekly",
        False,
    )
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["officer@force.police.example"]
    assert "Initial contact" in mail.outbox[0].body or "initial" in mail.outbox[0].body.lower()

    # Opening the link (as a mail scanner would) only asks, and shows what is asked for but not
    # the address: the link may have been passed on.
    path = confirm_link(mail.outbox[0])
    page = client.get(path)
    assert page.status_code == 200
    assert b"Confirm your subscription" in page.content
    assert b"officer@force.police.example" not in page.content
    subscriber.refresh_from_db()
    assert subscriber.status == "pending"

    confirmed = client.post(path)
    assert confirmed.status_code == 302
    subscriber.refresh_from_db()
    assert subscriber.status == "active" and subscriber.confirmed_at
    assert subscriber.subscriptions.get().active


def test_the_answer_is_the_same_whether_the_address_is_known(
    client, django_capture_on_commit_callbacks, make_subscriber, criterion
):
    make_subscriber(email="known@force.police.example", topics=[criterion])
    make_subscriber(email="bounced@force.police.example", status="suppressed")
    answers = []
    for email in (
        "new@force.police.example",
        "known@force.police.example",
        "bounced@force.police.example",
    ):
        response = sign_up(client, django_capture_on_commit_callbacks, email=email)
        followed = client.get(response["Location"])
        # The CSP nonce differs on every response; everything else must not.
        content = re.sub(rb'nonce="[^"]+"', b"", followed.content)
        answers.append((response.status_code, response["Location"], content))
    assert answers[0] == answers[1] == answers[2]
    # The suppressed address gets nothing; the others a confirmation each.
    assert sorted(m.to[0] for m in mail.outbox) == [
        "known@force.police.example",
        "new@force.police.example",
    ]


def test_a_stranger_cannot_change_what_an_active_subscriber_gets(
    client, django_capture_on_commit_callbacks, make_subscriber, criterion
):
    subscriber = make_subscriber(email="known@force.police.example", topics=[criterion])
    sign_up(
        client,
        django_capture_on_commit_callbacks,
        email="known@force.police.example",
        organisation_type="partner",
        criteria=[],
        themes=["missing-children"],
    )
    subscriber.refresh_from_db()
    assert subscriber.status == "active"
    assert subscriber.organisation_type == "force"
    active = subscriber.subscriptions.filter(active=True)
    assert [topic.kind for topic in active] == ["criterion"]
    assert subscriber.subscriptions.filter(active=False, kind="theme").count() == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"email": "not-an-address"}, "Enter an email address in the correct format"),
        ({"email": ""}, "Enter your email address"),
        ({"criteria": []}, "Choose at least one topic"),
        ({"criteria": ["no-such-criterion"]}, "no longer exist"),
        ({"frequency": "hourly"}, "Select how often you want emails"),
        ({"organisation_type": ""}, "Select whether you work for a police force"),
        ({"listing": "practice", "search": "criterion=nope"}, "filters that no longer exist"),
        ({"listing": "nonsense", "search": "x=1"}, "Unknown listing"),
        ({"listing": "practice", "search": "criterion=a%00b"}, "filters that no longer exist"),
        ({"listing": "practice", "search": "criterion=x\r\ny=1"}, "must be on one line"),
    ],
)
def test_bad_input_changes_nothing(client, django_capture_on_commit_callbacks, overrides, message):
    response = sign_up(client, django_capture_on_commit_callbacks, **overrides)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert b"There is a problem" in response.content
    assert not Subscriber.objects.exists()
    assert not mail.outbox


def test_sign_ups_are_rate_limited(client, django_capture_on_commit_callbacks):
    for n in range(10):
        response = sign_up(client, django_capture_on_commit_callbacks, email=f"p{n}@x.example")
        assert response.status_code == 302
    response = sign_up(client, django_capture_on_commit_callbacks, email="p11@x.example")
    assert response.status_code == 429
    assert not Subscriber.objects.filter(email="p11@x.example").exists()


def test_the_form_refuses_posts_from_other_sites(django_capture_on_commit_callbacks):
    # The page is shared from a cache, so its form has no CSRF token: the browser's Origin
    # header says where it was posted from (caching/csrf.py).
    from django.test import Client

    client = Client(enforce_csrf_checks=True, headers={"Origin": "https://attacker.example"})
    response = sign_up(client, django_capture_on_commit_callbacks)
    assert response.status_code == 403
    assert not Subscriber.objects.exists()


def test_a_filtered_listing_becomes_a_saved_search(client, django_capture_on_commit_callbacks):
    page = client.get(
        SUBSCRIBE,
        {
            "listing": "practice",
            "search": "theme=missing-children&criterion=initial-contact&page=3",
        },
    )
    assert page.status_code == 200
    assert b"Notable practice" in page.content
    response = sign_up(
        client,
        django_capture_on_commit_callbacks,
        criteria=[],
        listing="practice",
        search="theme=missing-children&criterion=initial-contact&page=3",
    )
    assert response.status_code == 302
    topic = Subscription.objects.get()
    assert (topic.kind, topic.listing) == ("search", "practice")
    # Only the listing's filters are kept, in a stable order.
    assert topic.querystring == "criterion=initial-contact&theme=missing-children"


def test_listings_link_to_subscribe_to_their_filters(client, practice_index, make_practice):
    make_practice()
    unfiltered = client.get(practice_index.url)
    assert b"Get emails when new practice matches" not in unfiltered.content
    filtered = client.get(practice_index.url, {"criterion": "initial-contact"})
    content = filtered.content.decode()
    assert "Get emails when new practice matches these filters" in content
    assert "/newsletters/subscribe/?listing=practice&amp;search=criterion%3Dinitial-contact" in (
        content
    )


def test_confirmation_links_expire_and_unconfirmed_sign_ups_are_deleted(
    client, django_capture_on_commit_callbacks
):
    sign_up(client, django_capture_on_commit_callbacks)
    path = confirm_link(mail.outbox[0])
    with time_machine.travel(timezone.now() + dt.timedelta(days=8)):
        assert client.post(path).status_code == 404
        assert b"This link does not work" in client.get(path).content
        assert expire_unconfirmed() == 2  # the subscriber and the topic
    assert not Subscriber.objects.exists()


def test_forged_confirmation_links_do_nothing(client, make_subscriber):
    subscriber = make_subscriber(status="pending")
    forged = links.make_token(subscriber, links.MANAGE_SALT)  # right subscriber, wrong salt
    assert client.post(f"/newsletters/confirm/{forged}/").status_code == 404
    assert client.post("/newsletters/confirm/garbage/").status_code == 404
    subscriber.refresh_from_db()
    assert subscriber.status == "pending"
