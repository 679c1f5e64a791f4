"""Nobody can mail-bomb an address through the sign-up form: one confirmation email per address
per cooldown, however many sign-ups name it, one after another or all at once, through the
real view, PostgreSQL, a real SMTP server and a Celery worker run as production runs it (a
process pool, so confirmation tasks run at the same time as each other and as sign-ups)."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from django.utils.html import escape

from newsletters.models import Subscriber
from newsletters.tasks import send_confirmation
from taxonomy.models import Criterion, Theme
from tests.http_server import csrf, http_server, post_at_once  # noqa: F401 - fixture
from tests.workers import wait_until_idle

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SUBSCRIBE = "/newsletters/subscribe/"
ADDRESS = "target@force.police.example"
# Concurrent clients: each holds a server thread and a database connection (PostgreSQL allows
# 100 in all, and the worker and this test hold some).
CLIENTS = 50


@pytest.fixture
def worker(start_worker):
    return start_worker(pool="prefork", concurrency=4)


@pytest.fixture
def topics(db):
    """A different topic for each sign-up: the criteria and themes by slug, as (field, slug)."""
    return [("criteria", slug) for slug in Criterion.objects.values_list("slug", flat=True)] + [
        ("themes", slug) for slug in Theme.objects.values_list("slug", flat=True)
    ]


def sign_up_data(field, slug):
    return {
        "email": ADDRESS,
        "organisation_type": "force",
        field: [slug],
        "frequency": "weekly",
    }


def without_nonce(content):
    return re.sub(rb'nonce="[^"]+"', b"", content)


def test_a_dozen_sign_ups_for_one_address_send_one_confirmation_that_covers_them_all(
    worker,
    sink,
    client,
    settings,
    topics,
    postgres,
):
    # The per-IP limit (10 an hour) is another guard: this is a dozen people, or one person
    # with a dozen addresses to send from.
    settings.RATELIMIT_ENABLE = False
    chosen = topics[:12]
    answers = set()
    for field, slug in chosen:
        response = client.post(SUBSCRIBE, sign_up_data(field, slug))
        followed = client.get(response["Location"])
        answers.add((response.status_code, response["Location"], without_nonce(followed.content)))
    # The same answer every time: nobody learns whether an email went.
    assert len(answers) == 1

    wait_until_idle()
    assert sink.per_recipient() == {ADDRESS: 1}
    # Every sign-up's topics were recorded, and the one link confirms them all.
    subscriber = Subscriber.objects.get(email=ADDRESS)
    assert subscriber.subscriptions.filter(active=False).count() == 12
    body = sink.messages[0][1].get_body(preferencelist=("plain",)).get_content()
    confirm = re.search(r"http://testserver(/newsletters/confirm/\S+/)", body).group(1)
    page = client.get(confirm).content.decode()
    for field, slug in chosen:
        model = Criterion if field == "criteria" else Theme
        assert escape(model.objects.get(slug=slug).name) in page
    client.post(confirm)
    assert subscriber.subscriptions.filter(active=True).count() == 12


def test_fifty_sign_ups_at_once_for_one_address_send_one_confirmation(
    worker,
    sink,
    settings,
    topics,
    postgres,
    http_server,  # noqa: F811
):
    settings.RATELIMIT_ENABLE = False  # as from fifty different IP addresses
    url = http_server + SUBSCRIBE
    token, cookies = csrf(url)
    posts = [(url, sign_up_data(*topics[n % len(topics)])) for n in range(CLIENTS)]
    responses = post_at_once(posts, token, cookies)

    assert {(r.status_code, r.headers["Location"]) for r in responses} == {
        (302, "/newsletters/subscribe/check-your-email/")
    }
    wait_until_idle()
    assert sink.per_recipient() == {ADDRESS: 1}
    subscriber = Subscriber.objects.get(email=ADDRESS)
    assert subscriber.subscriptions.count() == min(CLIENTS, len(topics))


def test_the_confirmation_task_itself_sends_one_per_cooldown(
    worker,
    sink,
    client,
    topics,
    postgres,
):
    field, slug = topics[0]
    client.post(SUBSCRIBE, sign_up_data(field, slug))
    wait_until_idle()
    assert sink.per_recipient() == {ADDRESS: 1}

    # A second request that did not come through the view's guard, and the task run several
    # times for it (redelivered, or queued by hand): still nothing within the cooldown.
    subscriber = Subscriber.objects.get(email=ADDRESS)
    Subscriber.objects.filter(pk=subscriber.pk).update(confirmation_requested_at=timezone.now())
    for _ in range(3):
        send_confirmation.delay(subscriber.pk)
    wait_until_idle()
    assert sink.per_recipient() == {ADDRESS: 1}

    # Once the cooldown has passed, a new sign-up gets its confirmation.
    long_ago = timezone.now() - dt.timedelta(minutes=16)
    Subscriber.objects.filter(pk=subscriber.pk).update(
        confirmation_requested_at=long_ago, confirmation_sent_at=long_ago
    )
    field, slug = topics[1]
    client.post(SUBSCRIBE, sign_up_data(field, slug))
    wait_until_idle()
    assert sink.per_recipient() == {ADDRESS: 2}
