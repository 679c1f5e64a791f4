"""Real services for end-to-end tests: a Celery worker on Redis and an SMTP sink."""

import pytest
from celery.contrib.testing.worker import start_worker

from tests import services


@pytest.fixture
def smtp_sink(sink):
    """A real SMTP server on localhost; Django's SMTP backend is pointed at it."""
    return sink


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
    with start_worker(
        # Both queues: the default one and the one newsletters' chunks go to.
        app,
        pool="solo",
        queues=["celery", "mail"],
        perform_ping_check=False,
        shutdown_timeout=10,
    ) as worker:
        yield worker
