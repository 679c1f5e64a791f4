"""Capacity under contention: 200 registrations posted at once for 50 seats, through the real
view and a real threaded HTTP server, on PostgreSQL."""

import concurrent.futures
import re
import threading

import pytest
import requests
from django.core.handlers.wsgi import WSGIHandler
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler

from events.models import Registration

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

REGISTRATIONS = 200
SEATS = 50
# Concurrent clients: each holds a server thread and a database connection, and PostgreSQL
# allows 100 connections in all; 50 keeps the lock contended without exhausting them.
CLIENTS = 50


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class Server(ThreadedWSGIServer):
    # live_server's listen backlog (10) resets connections when 50 clients connect at once.
    request_queue_size = 256


@pytest.fixture
def http_server(transactional_db):
    """A threaded HTTP server with a deep backlog; each request thread uses its own database
    connection, closed at the end of the request as in production."""
    server = Server(("127.0.0.1", 0), QuietHandler)
    server.set_app(WSGIHandler())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_200_concurrent_registrations_for_50_seats(postgres, make_event, settings, http_server):
    from django.core.cache import cache

    settings.EVENTS_REGISTRATION_RATE = "10000/m"
    cache.clear()
    event = make_event(capacity=SEATS)
    from taxonomy.models import Audience, Organisation

    organisation = Organisation.objects.get(slug="avon-and-somerset-constabulary").pk
    role = Audience.objects.get(slug="frontline-response").pk
    url = http_server + event.url

    session = requests.Session()
    page = session.get(url, timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    cookies = session.cookies.get_dict()
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
