"""A threaded HTTP server over the real WSGI application, for tests that post many requests at
once: each request thread has its own database connection, closed after the request as in
production. Use with pytest.mark.django_db(transaction=True)."""

import concurrent.futures
import re
import threading

import pytest
import requests
from django.core.handlers.wsgi import WSGIHandler
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class Server(ThreadedWSGIServer):
    # live_server's listen backlog (10) resets connections when 50 clients connect at once.
    request_queue_size = 256


@pytest.fixture
def http_server(transactional_db):
    """The base URL of a threaded HTTP server with a deep backlog."""
    server = Server(("127.0.0.1", 0), QuietHandler)
    server.set_app(WSGIHandler())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def csrf(url):
    """(token, cookies) from a GET of a page with a form, for posting to it from many threads.
    The public forms on shared pages have no token (caching/csrf.py): then ("", {})."""
    session = requests.Session()
    page = session.get(url, timeout=30)
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    return (found.group(1) if found else ""), session.cookies.get_dict()


def post_at_once(posts, token, cookies):
    """POST each (url, data) from a thread of its own, all released together by a barrier, with
    the CSRF token and cookies from `csrf`; returns the responses in order, not followed."""
    start = threading.Barrier(len(posts))

    def post(item):
        url, data = item
        start.wait()
        return requests.post(
            url,
            data={"csrfmiddlewaretoken": token, **data},
            cookies=cookies,
            headers={"Referer": url},
            allow_redirects=False,
            timeout=120,
        )

    with concurrent.futures.ThreadPoolExecutor(len(posts)) as pool:
        return list(pool.map(post, posts))
