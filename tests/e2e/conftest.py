"""Real services for end-to-end tests: a Celery worker on Redis and an SMTP sink."""

import socket
import time
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from celery.contrib.testing.worker import start_worker

from tests import services


class CollectingHandler:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        self.messages.append((envelope.rcpt_tos, message))
        return "250 Message accepted for delivery"


class SmtpSink:
    def __init__(self, handler, port):
        self.handler, self.port = handler, port

    @property
    def messages(self):
        return self.handler.messages

    def wait_for(self, count, timeout=30):
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.1)
        return self.messages


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_sink(settings):
    """A real SMTP server on localhost; Django's SMTP backend is pointed at it."""
    handler = CollectingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = False
    yield SmtpSink(handler, settings.EMAIL_PORT)
    controller.stop()


@pytest.fixture
def celery_worker(settings):
    """A real Celery worker, in a thread of this process, consuming from Redis. Tests using it
    mark themselves django_db(transaction=True) so the worker sees their committed data."""
    services.require_redis()
    from portal.celery import app

    app.conf.broker_url = settings.CELERY_BROKER_URL
    app.conf.task_always_eager = False
    with app.connection_for_write() as connection:
        connection.default_channel.client.flushdb()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as worker:
        yield worker
