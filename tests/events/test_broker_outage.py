"""Nothing is lost when the broker blinks: a registration or sign-up made while the Celery
broker is down commits, answers as usual, and its email arrives, once, when the broker is back
(the outbox, portal/outbox.py). A real worker (with its embedded beat) and a real Redis broker
of the test's own, which the test kills in the middle of a request."""

import os

import pytest
from django.db import connection
from django.db.models.signals import post_save
from kombu import pools

from events.models import Registration
from newsletters.models import Subscriber
from portal.models import OutboxMessage
from tests.newsletters.conftest import ROOT, Worker
from tests.redis_server import private_redis
from tests.workers import wait_for, wait_until_idle

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def broker(tmp_path, postgres, redis_available):
    """A private Redis as the broker, for this process and the worker alike."""
    from portal.celery import app

    def repoint(url):
        # kombu keeps connection and producer pools in global registries keyed by broker URL:
        # closing only the app's pool would leave a closed pool there for the next test that
        # sends to the same URL. Reset empties the registries too.
        pools.reset()
        app._pool = None
        app.amqp._producer_pool = None
        app.conf.broker_url = url

    previous = app.conf.broker_url
    with private_redis(tmp_path) as server:
        repoint(f"{server.url}/0")
        try:
            yield server
        finally:
            repoint(previous)


@pytest.fixture
def worker_with_beat(broker, sink, tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.newsletters.worker_settings",
        "NEWSLETTERS_TEST_DATABASE_NAME": connection.settings_dict["NAME"],
        "NEWSLETTERS_TEST_SMTP_PORT": str(sink.port),
        "NEWSLETTERS_TEST_BROKER_URL": f"{broker.url}/0",
        "NEWSLETTERS_RATE_PER_SECOND": "0",
        # Beat publishes what the broker missed every second, not every 15.
        "OUTBOX_PUBLISH_SECONDS": "1",
        "PYTHONPATH": str(ROOT),
    }
    beat_args = ["--beat", f"--schedule={tmp_path / 'beat-schedule'}"]
    worker = Worker(env, tmp_path / "worker.log", extra_args=beat_args)
    yield worker
    worker.stop()


def kill_broker_when_saved(model, broker):
    """Kill the broker in the middle of the request that saves `model`: after its row is
    written, before the transaction commits and the email is handed to the broker."""

    def kill(sender, instance, created, **kwargs):
        if created:
            broker.stop()

    post_save.connect(kill, sender=model, weak=False, dispatch_uid="kill-broker")
    return lambda: post_save.disconnect(sender=model, dispatch_uid="kill-broker")


def test_registrations_and_sign_ups_made_while_the_broker_is_down_are_emailed_once_it_is_back(
    broker, worker_with_beat, sink, client, make_event, form_data
):
    event = make_event(title="Hearing the child", capacity=10)
    # The pipeline works with the broker up.
    assert client.post(event.url, form_data(email="before@avon.police.uk")).status_code == 302
    assert wait_for(lambda: sink.per_recipient()["before@avon.police.uk"] == 1)

    disconnect = kill_broker_when_saved(Registration, broker)
    try:
        response = client.post(event.url, form_data(email="during@avon.police.uk"))
    finally:
        disconnect()
    # The person sees the usual answer; their registration holds a seat.
    assert response.status_code == 302
    assert "Check your email" in client.get(response["Location"]).content.decode()
    registration = Registration.objects.get(email="during@avon.police.uk")
    assert registration.status == Registration.Status.CONFIRMED

    signed_up = client.post(
        "/newsletters/subscribe/",
        {
            "email": "reader@example.org",
            "organisation_type": "force",
            "criteria": ["initial-contact"],
            "frequency": "weekly",
        },
    )
    assert signed_up.status_code == 302
    assert Subscriber.objects.filter(email="reader@example.org").exists()
    assert OutboxMessage.objects.filter(published_at__isnull=True).count() == 2

    broker.start()
    assert wait_for(
        lambda: {"during@avon.police.uk", "reader@example.org"} <= set(sink.per_recipient()),
        timeout=120,
    ), "the emails held back by the outage never arrived"
    assert wait_for(lambda: not OutboxMessage.objects.filter(published_at__isnull=True).exists())
    wait_until_idle()

    counts = sink.per_recipient()
    assert counts == {
        "before@avon.police.uk": 1,
        "during@avon.police.uk": 1,
        "reader@example.org": 1,
    }
    by_to = {tuple(to): message for to, message in sink.messages}
    booked = by_to[("during@avon.police.uk",)]
    assert booked["Subject"] == "You are booked on Hearing the child"
    # Their manage link, which registering again would not have given them.
    body = booked.get_body(preferencelist=("plain",)).get_content()
    assert registration.manage_url() in body
    assert "Confirm your subscription" in by_to[("reader@example.org",)]["Subject"]
