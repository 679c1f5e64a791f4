"""Capacity under contention: 200 registrations posted at once for 50 seats, through the real
view and a real threaded HTTP server, on PostgreSQL."""

import concurrent.futures
import threading

import pytest
import requests

from events.models import Registration
from tests.http_server import csrf, http_server  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

REGISTRATIONS = 200
SEATS = 50
# Concurrent clients: each holds a server thread and a database connection, and PostgreSQL
# allows 100 connections in all; 50 keeps the lock contended without exhausting them.
CLIENTS = 50


def test_200_concurrent_registrations_for_50_seats(
    postgres,
    make_event,
    settings,
    http_server,  # noqa: F811
):
    from django.core.cache import cache

    settings.EVENTS_REGISTRATION_RATE = "10000/m"
    cache.clear()
    event = make_event(capacity=SEATS)
    from taxonomy.models import JobRole, Organisation

    organisation = Organisation.objects.get(slug="avon-and-somerset-constabulary").pk
    role = JobRole.objects.get(slug="response-officer").pk
    url = http_server + event.url

    token, cookies = csrf(url)
    start = threading.Barrier(CLIENTS)

    def post(n):
        if n < CLIENTS:
            start.wait()
        return requests.post(
            url,
            data={
                "csrfmiddlewaretoken": token,
                "name": f"Person {n}",
                "email": f"person{n}@avon.police.uk",
                "organisation": organisation,
                "role": role,
            },
            cookies=cookies,
            headers={"Referer": url},
            allow_redirects=False,
            timeout=120,
        )

    with concurrent.futures.ThreadPoolExecutor(CLIENTS) as pool:
        responses = list(pool.map(post, range(REGISTRATIONS)))

    assert [r.status_code for r in responses] == [302] * REGISTRATIONS
    statuses = list(Registration.objects.values_list("status", flat=True))
    assert len(statuses) == REGISTRATIONS
    assert statuses.count("confirmed") == SEATS
    assert statuses.count("waitlisted") == REGISTRATIONS - SEATS
    positions = sorted(
        Registration.objects.filter(status="waitlisted").values_list(
            "waitlist_position", flat=True
        )
    )
    assert positions == list(range(1, REGISTRATIONS - SEATS + 1))
