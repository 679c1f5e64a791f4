"""Police-only seats go to addresses proven to be the registrant's: a registration holds no seat
and no waitlist place until the link emailed to the address is used, and is deleted if it never
is. Confirmations take seats under the same capacity guarantee as registrations."""

import datetime as dt
import re

import pytest
import time_machine
from django.utils import timezone

from events import booking
from events.models import EventPage, Registration
from events.tasks import expire_unconfirmed
from tests.e2e.conftest import celery_worker  # noqa: F401 - fixture
from tests.http_server import csrf, http_server, post_at_once  # noqa: F401 - fixture
from tests.workers import wait_until_idle

Status = Registration.Status
POLICE = EventPage.Access.POLICE


@pytest.fixture(autouse=True)
def fresh_rate_limits(redis_available):
    from django.core.cache import cache

    cache.clear()


def body(message):
    return message.get_body(preferencelist=("plain",)).get_content()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_address_that_only_looks_like_a_police_one_holds_no_seat(
    celery_worker,  # noqa: F811
    sink,
    client,
    make_event,
    form_data,
    postgres,
):
    event = make_event(title="Covert tactics", access=POLICE, capacity=1)
    # Someone types an officer's address they cannot read, then the real officer registers.
    client.post(event.url, form_data(email="not.theirs@met.police.uk", name="Fake"))
    client.post(event.url, form_data(email="real.officer@avon.police.uk"))
    wait_until_idle()
    assert event.seats_left() == 1
    assert set(Registration.objects.values_list("status", "waitlist_position")) == {
        (Status.AWAITING_EMAIL, None)
    }
    emails = {to[0]: message for to, message in sink.messages}
    assert set(emails) == {"not.theirs@met.police.uk", "real.officer@avon.police.uk"}
    confirm = emails["real.officer@avon.police.uk"]
    assert confirm["Subject"] == "Confirm your email address to book Covert tactics"
    link = re.search(r"http://testserver(/event-registrations/\S+/)", body(confirm)).group(1)

    # Opening the link (as a mail scanner would) only asks.
    page = client.get(link).content.decode()
    assert "Confirm my registration" in page
    assert event.seats_left() == 1

    assert client.post(link, {"action": "verify"}).status_code == 302
    officer = Registration.objects.get(email="real.officer@avon.police.uk")
    assert officer.status == Status.CONFIRMED
    assert event.seats_left() == 0
    wait_until_idle()
    subjects = [m["Subject"] for to, m in sink.messages if to == ["real.officer@avon.police.uk"]]
    assert subjects[-1] == "You are booked on Covert tactics"
    # The address nobody confirmed still holds nothing.
    fake = Registration.objects.get(email="not.theirs@met.police.uk")
    assert (fake.status, fake.waitlist_position) == (Status.AWAITING_EMAIL, None)


@pytest.mark.django_db
def test_unconfirmed_registrations_expire_and_are_deleted(make_event, book):
    event = make_event(access=POLICE, capacity=5)
    in_time, too_late = book(event), book(event)
    with time_machine.travel(timezone.now() + dt.timedelta(hours=47)):
        assert booking.email_confirmed(in_time).status == Status.CONFIRMED
    forgotten = book(event)
    with time_machine.travel(timezone.now() + dt.timedelta(hours=49)):
        assert booking.email_confirmed(too_late) is None
        assert expire_unconfirmed() >= 1
    assert list(Registration.objects.values_list("pk", flat=True)) == [in_time.pk]
    assert not Registration.objects.filter(pk=forgotten.pk).exists()
    assert event.seats_left() == 4


@pytest.mark.django_db
def test_confirming_too_late_says_so_and_lets_the_address_register_again(
    client, make_event, book, form_data
):
    event = make_event(access=POLICE)
    registration = book(event, email=form_data()["email"])
    with time_machine.travel(timezone.now() + dt.timedelta(hours=49)):
        response = client.post(registration.manage_path(), {"action": "verify"}, follow=True)
        assert "The time to confirm this registration has passed" in response.content.decode()
        assert client.post(event.url, form_data()).status_code == 302
    assert Registration.objects.get().pk != registration.pk


@pytest.mark.django_db
def test_a_verified_address_skips_the_email_step(make_event, book):
    event = make_event(access=POLICE, capacity=1)
    assert book(event, email_verified=True).status == Status.CONFIRMED
    assert book(event).status == Status.AWAITING_EMAIL


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_forty_confirmations_at_once_for_twelve_seats(
    make_event,
    book,
    postgres,
    http_server,  # noqa: F811
):
    # Each client holds a server thread and a database connection: as many as PostgreSQL's
    # 100 connections allow beside the rest of the suite.
    seats, registrants = 12, 40
    event = make_event(access=POLICE, capacity=seats)
    links = [book(event).manage_path() for _ in range(registrants)]
    token, cookies = csrf(http_server + links[0])
    posts = [(http_server + path, {"action": "verify"}) for path in links]
    responses = post_at_once(posts, token, cookies)

    assert [r.status_code for r in responses] == [302] * registrants
    statuses = list(Registration.objects.values_list("status", flat=True))
    assert statuses.count(Status.CONFIRMED) == seats
    assert statuses.count(Status.WAITLISTED) == registrants - seats
    positions = sorted(
        Registration.objects.filter(status=Status.WAITLISTED).values_list(
            "waitlist_position", flat=True
        )
    )
    assert positions == list(range(1, registrants - seats + 1))


@pytest.mark.django_db
def test_a_signed_in_account_with_the_address_verified_books_without_an_emailed_link(
    client, make_event, form_data
):
    from allauth.account.models import EmailAddress
    from django.contrib.auth.models import User

    event = make_event(title="Verified officers only", access=POLICE, capacity=5)
    officer = User.objects.create_user("sam", "sam.officer@avon.police.uk")
    EmailAddress.objects.create(user=officer, email=officer.email, verified=True, primary=True)
    client.force_login(officer)
    client.post(event.url, form_data(email="Sam.Officer@avon.police.uk"))
    # Someone else's address typed by the same account still needs its link.
    client.post(event.url, form_data(email="other.officer@avon.police.uk", name="Other"))
    statuses = dict(Registration.objects.values_list("email", "status"))
    assert statuses["sam.officer@avon.police.uk"] == Status.CONFIRMED
    assert statuses["other.officer@avon.police.uk"] == Status.AWAITING_EMAIL
    assert event.seats_left() == 4
