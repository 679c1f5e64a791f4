"""Fixtures for the newsletters tests: subscribers, a counting SMTP sink that can refuse
recipients, Celery run inline where a test needs no worker, and real worker subprocesses."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from tests import services
from tests.browser.conftest import browser, page  # noqa: F401 - the shared browser fixtures

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def eager_celery(settings):
    """Run tasks inline in this process (no worker), for tests of logic rather than of the
    worker. Combine with django_capture_on_commit_callbacks(execute=True)."""
    from portal.celery import app

    previous = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    settings.NEWSLETTERS_RATE_PER_SECOND = 0
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = previous


@pytest.fixture
def clean_cache(redis_available):
    """Rate-limit counters and the send bucket live in this run's own cache database."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def make_subscriber(db):
    from newsletters.models import Subscriber, Subscription

    counter = {"n": 0}

    def make(email=None, topics=(), frequency="immediate", status="active", **fields):
        """topics: taxonomy terms, "events", or ("search", listing, querystring)."""
        from taxonomy.models import Audience, Criterion, Theme

        counter["n"] += 1
        subscriber = Subscriber.objects.create(
            email=email or f"person{counter['n']}@force.police.example",
            organisation_type=fields.pop("organisation_type", "force"),
            status=status,
            confirmed_at=timezone.now() if status == "active" else None,
            **fields,
        )
        for topic in topics:
            subscription = Subscription(subscriber=subscriber, frequency=frequency, active=True)
            if topic == "events":
                subscription.kind = "events"
            elif isinstance(topic, tuple):
                subscription.kind, subscription.listing, subscription.querystring = topic
            elif isinstance(topic, Criterion):
                subscription.kind, subscription.criterion = "criterion", topic
            elif isinstance(topic, Theme):
                subscription.kind, subscription.theme = "theme", topic
            elif isinstance(topic, Audience):
                subscription.kind, subscription.audience = "audience", topic
            subscription.save()
        return subscriber

    return make


@pytest.fixture
def criterion(db):
    from taxonomy.models import Criterion

    return Criterion.objects.get(slug="initial-contact")


@pytest.fixture
def other_criterion(db):
    from taxonomy.models import Criterion

    return Criterion.objects.exclude(slug="initial-contact").first()


class Worker:
    """`celery -A portal worker` in its own process, on this run's broker and database."""

    def __init__(
        self, env, log_path, pool="solo", queues="celery,mail", concurrency=1, extra_args=()
    ):
        self.log = open(log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "portal",
                "worker",
                f"--hostname={log_path.stem}@%h",
                f"--pool={pool}",
                f"--concurrency={concurrency}",
                # By default both queues: the default one and the one newsletters' chunks go to.
                f"--queues={queues}",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel=INFO",
                *extra_args,
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def kill(self):
        """SIGKILL: no shutdown, no acknowledgement, nothing cleaned up."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()


@pytest.fixture
def start_worker(sink, settings, tmp_path, postgres, redis_available):
    """Start real worker processes sharing this test's database, broker and SMTP sink."""
    from portal.celery import app

    app.conf.broker_url = settings.CELERY_BROKER_URL
    with app.connection_for_write() as broker:
        broker.default_channel.client.flushdb()
    workers = []

    def start(pool="solo", queues="celery,mail", concurrency=1, name=None, **extra_env):
        """`name`: the worker's Celery hostname (and log file); the same name again is the
        same worker restarted."""
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.newsletters.worker_settings",
            "NEWSLETTERS_TEST_DATABASE_NAME": connection.settings_dict["NAME"],
            "NEWSLETTERS_TEST_SMTP_PORT": str(sink.port),
            "NEWSLETTERS_RATE_PER_SECOND": "0",
            "PYTHONPATH": str(ROOT),
            **{key: str(value) for key, value in extra_env.items()},
        }
        log_path = tmp_path / f"{name or f'worker{len(workers)}'}.log"
        worker = Worker(env, log_path, pool, queues, concurrency=concurrency)
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()
    with app.connection_for_write() as broker:
        broker.default_channel.client.flushdb()


@pytest.fixture
def require_services():
    services.require_postgres()
    services.require_redis()
