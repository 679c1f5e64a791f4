"""Who is registered for what stays private: registering an address again gets the same answer
as registering it the first time, and the address's owner is told by email instead. Emails
anyone can cause by typing an address go to it at most once per cooldown. Through the real
view, PostgreSQL, a real SMTP server and a Celery worker run as production runs it (a process
pool, so emails for one address are decided at the same time)."""

import datetime as dt
import re

import pytest
from django.db.models import F

from events.models import EmailCooldown, EventPage, Registration, RegistrationEmail
from events.tasks import send_deferred_emails
from tests.http_server import csrf, http_server, post_at_once  # noqa: F401 - fixture
from tests.newsletters.conftest import start_worker  # noqa: F401 - fixture
from tests.workers import wait_until_idle

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

OWNER = "owner@avon.police.uk"


@pytest.fixture
def worker(start_worker):  # noqa: F811
    return start_worker(pool="prefork", concurrency=4)


@pytest.fixture(autouse=True)
def fresh_rate_limits(redis_available):
    """The per-IP counters live in the cache, shared by every test of this run."""
    from django.core.cache import cache

    cache.clear()


def answer(client, response):
    """What the person who submitted the form sees: the redirect and the page it leads to
    (without the CSP nonce, which differs on every response)."""
    followed = client.get(response["Location"])
    return (
        response.status_code,
        response["Location"],
        re.sub(rb'nonce="[^"]+"', b"", followed.content),
    )


def let_the_cooldown_pass():
    """As if 15 minutes passed: every time the cooldown keeps moves back by that much."""
    quarter = dt.timedelta(minutes=15)
    EmailCooldown.objects.update(last_sent_at=F("last_sent_at") - quarter)
    RegistrationEmail.objects.filter(send_after__isnull=False).update(
        send_after=F("send_after") - quarter
    )


def body(message):
    return message.get_body(preferencelist=("plain",)).get_content()


def test_registering_again_gets_the_same_answer_and_the_owner_is_told_by_email(
    worker,
    sink,
    client,
    make_event,
    form_data,
    postgres,
):
    event = make_event(title="Hearing the child")
    first = answer(client, client.post(event.url, form_data(email=OWNER)))
    wait_until_idle()
    assert sink.per_recipient() == {OWNER: 1}  # "You are booked"

    again = answer(client, client.post(event.url, form_data(email=OWNER.upper(), name="Other")))
    assert again == first
    wait_until_idle()
    # The booking went to the address a moment ago: no second email within the cooldown.
    assert sink.per_recipient() == {OWNER: 1}

    let_the_cooldown_pass()
    assert answer(client, client.post(event.url, form_data(email=OWNER, name="Other"))) == first
    wait_until_idle()
    assert sink.per_recipient() == {OWNER: 2}
    notice = sink.messages[-1][1]
    assert notice["Subject"] == "Your registration for Hearing the child"
    registration = Registration.objects.get()
    assert "Someone tried to register this email address" in body(notice)
    assert registration.manage_url() in body(notice)
    # Nothing the stranger typed reaches the owner, and nothing changed.
    assert "Other" not in body(notice)
    assert (registration.name, registration.status) == ("Sam Officer", "confirmed")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "access", [EventPage.Access.OPEN, EventPage.Access.APPROVAL, EventPage.Access.POLICE]
)
def test_the_page_after_registering_is_the_same_whatever_happened(
    client, make_event, form_data, access
):
    event = make_event(capacity=1, access=access)
    pages = {
        answer(client, client.post(event.url, form_data(email=email)))
        for email in ("first@avon.police.uk", "second@avon.police.uk", "first@avon.police.uk")
    }
    # Booked, waitlisted, awaiting approval or email confirmation, or already registered: one
    # page, naming no address.
    assert len(pages) == 1
    (_, _, content) = pages.pop()
    assert b"Check your email" in content
    assert b"first@" not in content and b"second@" not in content
    statuses = set(Registration.objects.values_list("status", flat=True))
    assert len(statuses) == (2 if access == EventPage.Access.OPEN else 1)


def test_thirty_attempts_at_once_to_register_an_address_again_email_its_owner_once(
    worker,
    sink,
    make_event,
    form_data,
    book,
    settings,
    postgres,
    http_server,  # noqa: F811
):
    settings.RATELIMIT_ENABLE = False  # as from thirty different IP addresses
    event = make_event()
    book(event, email=OWNER)
    wait_until_idle()
    let_the_cooldown_pass()
    url = http_server + event.url
    token, cookies = csrf(url)
    data = form_data(email=OWNER)
    responses = post_at_once(
        [(url, {**data, "name": f"Person {n}"}) for n in range(30)], token, cookies
    )

    assert len({(r.status_code, r.headers["Location"]) for r in responses}) == 1
    assert responses[0].status_code == 302
    wait_until_idle()
    subjects = [message["Subject"] for _, message in sink.messages]
    assert subjects.count(f"Your registration for {event.title}") == 1
    assert sink.per_recipient() == {OWNER: 2}  # the booking, then one notice
    assert Registration.objects.count() == 1


def test_registrations_for_several_events_reach_the_address_one_per_cooldown(
    worker,
    sink,
    client,
    make_event,
    form_data,
    postgres,
):
    """Someone registering a stranger's address for every event: the stranger gets one email
    per cooldown, not one per event; a person booking three events gets every booking."""
    events = [make_event(title=f"Webinar {n}") for n in range(3)]
    for event in events:
        assert client.post(event.url, form_data(email=OWNER)).status_code == 302
    wait_until_idle()
    assert sink.per_recipient() == {OWNER: 1}
    waiting = RegistrationEmail.objects.filter(sent_at__isnull=True, send_after__isnull=False)
    assert waiting.count() == 2

    send_deferred_emails.delay()  # what beat does every minute
    wait_until_idle()
    assert sink.per_recipient() == {OWNER: 1}  # still within the cooldown

    for sent in (2, 3):
        let_the_cooldown_pass()
        send_deferred_emails.delay()
        wait_until_idle()
        assert sink.per_recipient() == {OWNER: sent}
    subjects = sorted(message["Subject"] for _, message in sink.messages)
    assert subjects == [f"You are booked on Webinar {n}" for n in range(3)]
    assert not waiting.exists()
