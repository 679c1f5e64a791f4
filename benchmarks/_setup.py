"""Shared set-up for benchmarks: a scratch PostgreSQL database with the portal migrated."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DATA = ROOT / "sample_data"
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432"
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379")


def scratch_database(name, server=None):
    """Create (or recreate) database `name` and point Django at it. Returns its URL."""
    import psycopg

    server = server or os.environ.get("BENCH_POSTGRES", DEFAULT_SERVER)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    url = f"{server}/{name}"
    os.environ["DATABASE_URL"] = url
    return url


def django_setup(settings="portal.settings.dev"):
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings)
    # Benchmarks measure the portal, not the debug toolbar of DEBUG pages.
    os.environ.setdefault("DEBUG", "false")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def percentile(values, fraction):
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def free_port():
    """A port nothing listens on at the loopback address, for a server a benchmark starts."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def flush_redis(*databases):
    """Empty the given databases of the benchmarks' Redis (BENCH_REDIS)."""
    import redis

    for number in databases:
        redis.Redis.from_url(f"{REDIS}/{number}").flushdb()


def host_reference_ms(repeat=300):
    """CPU milliseconds this process takes to compile a fixed Django query `repeat` times: the
    same kind of work as a request's, without the database. Printed beside CPU figures, so a
    figure measured on a slower host of the same kind can be told from a regression (hosts of
    one kind have differed by two times). Needs django_setup() first."""
    import time

    from django.db.models import Exists, OuterRef

    from events.models import EventPage, EventQuestion

    def compile_lookup():
        questions = EventQuestion.objects.filter(page=OuterRef("pk"))
        events = EventPage.objects.live().select_related("format")
        events = events.annotate(has_questions=Exists(questions)).filter(pk=1)
        return events.query.get_compiler("default").as_sql()

    for _ in range(repeat // 10):
        compile_lookup()
    started = time.process_time()
    for _ in range(repeat):
        compile_lookup()
    return (time.process_time() - started) * 1000


def wait_until_answering(url, process, what, timeout):
    """Wait until `url` answers 200, leaving the benchmark with a message if `process` (what
    serves it) exits or `timeout` seconds pass first."""
    import time

    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"{what} exited with code {process.returncode}")
        try:
            if requests.get(url, timeout=30).status_code == 200:
                return
        except (requests.ConnectionError, requests.Timeout):  # not listening, or still loading
            pass
        time.sleep(0.2)
    sys.exit(f"{what} did not answer {url} within {timeout} s")


def stop_process(process, timeout=30):
    """Terminate a server the benchmark started, killing it if it does not exit in time."""
    import subprocess

    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
