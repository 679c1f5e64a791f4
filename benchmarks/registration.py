"""Registration throughput: registrations per second through the real view, on PostgreSQL.

Usage: python benchmarks/registration.py [--concurrency 1,8,32] [--seconds 20]
       [--capacity 150] [--workers 3] [--threads 8] [--port 0]

Creates a scratch database (spe_bench_registration), migrates it, and serves the portal with
gunicorn (gthread workers, as a subprocess) on 127.0.0.1 with PostgreSQL, a Redis cache and a
Redis broker, using benchmarks/registration_settings.py: the dev settings with production's
persistent database connections and the per-IP registration rate limit raised, since every
client posts from 127.0.0.1. Confirmation emails are queued in the broker and never sent (no
worker runs): the numbers are for the web request, not for email delivery.

For each concurrency level a new event with `--capacity` seats is published, then that many
clients register for it for `--seconds` (at most `--max-per-level` registrations), each as a
browser would: a new session fetches the event page (shared from the page cache: its form has
no CSRF token and is checked by origin), then posts the form to its action (the event's
registration address) with a unique email address. The default capacity is small enough that
every level fills the event, so both paths (a seat, the waitlist) are measured and checked.
Reports registrations per second, p50/p95 latency of the POST and of the page fetch, gunicorn's
CPU time per registration (page and POST; less disturbed than wall time by other work on the
machine), confirmed and waitlisted counts and errors; then checks the database: one row per
accepted registration, confirmed == min(capacity, registrations), the rest waitlisted in
positions 1..n. A check that fails ends the script with an error; the timings are reported,
never judged.

Redis databases 12 (broker) and 13 (cache) are flushed at the start and the broker again at
the end; choose others with --broker-db and --cache-db.
"""

import argparse
import datetime as dt
import os
import re
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urljoin

from _setup import (
    REDIS,
    ROOT,
    django_setup,
    flush_redis,
    free_port,
    host_reference_ms,
    percentile,
    scratch_database,
    stop_process,
    wait_until_answering,
)
from _targets import Report

HERE = ROOT / "benchmarks"
DATABASE = "spe_bench_registration"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# The registration form's action (events:register), as a browser would post it.
FORM_ACTION = re.compile(r'<form method="post" action="([^"#]+)[^"]*" novalidate>')
# Generous: at 32 clients a request can wait behind all of gunicorn's busy threads.
REQUEST_TIMEOUT = 60
SERVER_START_TIMEOUT = 60


def ms(values, fraction):
    return percentile(values, fraction) if values else float("nan")


def queued_tasks(database):
    """Messages waiting in Celery's queues (Redis lists) in broker `database`."""
    import redis

    broker = redis.Redis.from_url(f"{REDIS}/{database}")
    return sum(
        broker.llen(key) for key in broker.scan_iter("celery*") if broker.type(key) == b"list"
    )


def start_server(args, database_url):
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "registration_settings",
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(HERE)]),
        "DATABASE_URL": database_url,
        "REDIS_URL": f"{REDIS}/{args.cache_db}",
        "CELERY_BROKER_URL": f"{REDIS}/{args.broker_db}",
        "DEBUG": "false",
    }
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "portal.wsgi:application",
        f"--bind=127.0.0.1:{args.port}",
        "--worker-class=gthread",
        f"--workers={args.workers}",
        f"--threads={args.threads}",
        # Room for every client to connect at once; the default (2048) would do too.
        "--backlog=512",
        "--log-level=warning",
    ]
    return subprocess.Popen(command, cwd=ROOT, env=env)  # noqa: S603 (our own arguments)


def server_cpu_seconds(server):
    """CPU time (user + system) used so far by gunicorn's master and its workers. Less
    disturbed than wall time by other work on the machine; PostgreSQL's share is not in it."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # The command name, in parentheses, may hold spaces: split after it.
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended while we looked
            continue
        pid, ppid = int(stat.parent.name), int(fields[1])
        if server.pid in (pid, ppid):
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def make_event(title, capacity):
    from django.utils import timezone
    from wagtail.models import Site

    from events.models import EventIndexPage, EventPage
    from taxonomy.models import Criterion, EventFormat, Region

    index = EventIndexPage.objects.first()
    if index is None:
        home = Site.objects.get(is_default_site=True).root_page
        index = home.add_child(instance=EventIndexPage(title="Learning events", slug="events"))
    start = timezone.now() + dt.timedelta(days=30)
    page = EventPage(
        title=title,
        summary="Benchmark event: registrations under load.",
        description="<p>Registration throughput benchmark.</p>",
        start=start,
        end=start + dt.timedelta(hours=2),
        format=EventFormat.objects.get(slug="online"),
        region=Region.objects.get(slug="national"),
        capacity=capacity,
        registration_opens=timezone.localdate() - dt.timedelta(days=1),
        registration_closes=timezone.localdate() + dt.timedelta(days=20),
    )
    index.add_child(instance=page)
    page.criteria.set([Criterion.objects.get(slug="initial-contact")])
    page.save_revision().publish()
    return page


class Level:
    """One concurrency level's clients, registering until the deadline or the cap."""

    def __init__(self, url, prefix, form_values, seconds, limit):
        self.url = url
        self.prefix = prefix
        self.form_values = form_values
        self.seconds = seconds
        self.limit = limit
        self.lock = threading.Lock()
        self.issued = 0
        self.accepted = 0
        self.post_ms = []
        self.page_ms = []
        self.errors = []

    def next_number(self):
        with self.lock:
            if self.issued >= self.limit or time.monotonic() >= self.deadline:
                return None
            self.issued += 1
            return self.issued

    def register(self, number):
        import requests

        # A new session per registration: a new person's browser, with no cookie yet.
        with requests.Session() as session:
            start = time.perf_counter()
            page = session.get(self.url, timeout=REQUEST_TIMEOUT)
            fetched = time.perf_counter()
            # The event page is shared from a cache: its form has no CSRF token (its posts
            # are checked by origin, caching/csrf.py); a token is sent if there is one.
            match = TOKEN.search(page.text)
            action = FORM_ACTION.search(page.text)
            if page.status_code != 200 or action is None:
                return fetched - start, None, f"page: HTTP {page.status_code}, no form?"
            data = self.form_values | {
                "csrfmiddlewaretoken": match.group(1) if match else "",
                "name": f"Benchmark person {number}",
                "email": f"{self.prefix}-{number}@avon.police.uk",
            }
            posted = time.perf_counter()
            response = session.post(
                urljoin(self.url, action.group(1)),
                data=data,
                headers={"Referer": self.url},
                allow_redirects=False,
                timeout=REQUEST_TIMEOUT,
            )
            done = time.perf_counter()
            error = None if response.status_code == 302 else f"post: HTTP {response.status_code}"
            return fetched - start, done - posted, error

    def client(self):
        while (number := self.next_number()) is not None:
            try:
                page_s, post_s, error = self.register(number)
            except OSError as exc:  # requests' errors are OSErrors: a refused or reset socket
                page_s, post_s, error = None, None, f"{type(exc).__name__}: {exc}"
            with self.lock:
                if page_s is not None:
                    self.page_ms.append(page_s * 1000)
                if post_s is not None:
                    self.post_ms.append(post_s * 1000)
                if error:
                    self.errors.append(error)
                else:
                    self.accepted += 1

    def run(self, clients):
        self.deadline = time.monotonic() + self.seconds
        start = time.perf_counter()
        with ThreadPoolExecutor(clients) as pool:
            for future in [pool.submit(self.client) for _ in range(clients)]:
                future.result()
        return time.perf_counter() - start


def check(event, accepted):
    """The database agrees with what the clients were told. Returns a list of problems."""
    from events.models import Registration

    rows = Registration.objects.filter(event=event)
    statuses = list(rows.values_list("status", flat=True))
    confirmed = statuses.count("confirmed")
    waitlisted = statuses.count("waitlisted")
    problems = []
    if len(statuses) != accepted:
        problems.append(f"{len(statuses)} rows for {accepted} accepted registrations")
    if confirmed != min(event.capacity, accepted):
        problems.append(f"{confirmed} confirmed, expected {min(event.capacity, accepted)}")
    if confirmed + waitlisted != len(statuses):
        problems.append(f"{len(statuses) - confirmed - waitlisted} neither confirmed nor waiting")
    positions = sorted(
        rows.filter(status="waitlisted").values_list("waitlist_position", flat=True)
    )
    if positions != list(range(1, waitlisted + 1)):
        problems.append("waitlist positions are not 1..n")
    return confirmed, waitlisted, problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", default="1,8,32", help="comma-separated client counts")
    parser.add_argument("--seconds", type=float, default=20.0, help="per concurrency level")
    parser.add_argument("--max-per-level", type=int, default=5000)
    parser.add_argument("--capacity", type=int, default=150)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=8, help="gunicorn threads per worker")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--broker-db", type=int, default=12)
    parser.add_argument("--cache-db", type=int, default=13)
    args = parser.parse_args()
    levels = [int(n) for n in args.concurrency.split(",")]
    args.port = args.port or free_port()

    database_url = scratch_database(DATABASE)
    started = time.perf_counter()
    # The server's settings in this process too, for their quieter logging; here they run
    # tasks inline (no broker URL is set in this process) and cache in memory.
    django_setup("registration_settings")
    print(f"Migrated {DATABASE} in {time.perf_counter() - started:.1f} s", flush=True)
    print(
        f"Host reference: {host_reference_ms():.0f} ms of CPU for a fixed workload "
        "(compare it between hosts before comparing the CPU figures below)",
        flush=True,
    )
    flush_redis(args.broker_db, args.cache_db)

    from django.db import connection

    from taxonomy.models import JobRole, Organisation

    form_values = {
        "organisation": Organisation.objects.get(slug="avon-and-somerset-constabulary").pk,
        "role": JobRole.objects.get(slug="response-officer").pk,
    }
    warm_up = make_event("Benchmark warm-up", args.capacity)
    events = {
        clients: make_event(f"Benchmark, {clients} clients", args.capacity) for clients in levels
    }
    # The server opens its own connections; this one would only sit idle meanwhile.
    connection.close()

    base = f"http://127.0.0.1:{args.port}"
    server = start_server(args, database_url)
    failed = []
    report = Report("registration")
    try:
        wait_until_answering(base + warm_up.url, server, "gunicorn", SERVER_START_TIMEOUT)
        # Every worker process and thread loads templates and opens its connection first.
        warm = Level(
            base + warm_up.url, "warm-up", form_values, 5, 4 * args.workers * args.threads
        )
        warm.run(min(8, args.workers * args.threads))
        accepted = warm.accepted
        print(
            f"gunicorn: {args.workers} workers x {args.threads} threads; capacity "
            f"{args.capacity}; {args.seconds:g} s per level (at most {args.max_per_level})"
        )
        print(
            f"{'clients':>7} {'regs':>6} {'regs/s':>7} {'POST p50':>9} {'POST p95':>9} "
            f"{'page p50':>9} {'page p95':>9} {'CPU ms':>7} {'confirmed':>9} {'waitlist':>8} "
            f"{'errors':>6}"
        )
        for clients, event in events.items():
            level = Level(
                base + event.url, f"c{clients}", form_values, args.seconds, args.max_per_level
            )
            cpu_before = server_cpu_seconds(server)
            elapsed = level.run(clients)
            cpu_ms = (server_cpu_seconds(server) - cpu_before) * 1000 / max(level.accepted, 1)
            accepted += level.accepted
            confirmed, waitlisted, problems = check(event, level.accepted)
            connection.close()
            print(
                f"{clients:7d} {level.accepted:6d} {level.accepted / elapsed:7.1f} "
                f"{ms(level.post_ms, 0.5):9.1f} {ms(level.post_ms, 0.95):9.1f} "
                f"{ms(level.page_ms, 0.5):9.1f} {ms(level.page_ms, 0.95):9.1f} {cpu_ms:7.1f} "
                f"{confirmed:9d} {waitlisted:8d} {len(level.errors):6d}",
                flush=True,
            )
            # The targets are for 8 clients (CPU: 1 client, where no thread waits for another's
            # GIL); other levels are shown beside them.
            for figure, value in (
                (f"registrations/s at {clients} clients", level.accepted / elapsed),
                (f"POST p95 ms at {clients} clients", ms(level.post_ms, 0.95)),
                (f"CPU ms per registration at {clients} clients", cpu_ms),
            ):
                if figure in report.targets:
                    report.add(figure, value)
                else:
                    report.add(figure, value, untargeted=True)
            for error in sorted(set(level.errors))[:5]:
                print(f"        error: {error}")
            if problems or level.errors:
                failed.append(f"{clients} clients: " + "; ".join(problems + level.errors[:1]))
        # Each registration enqueues exactly one email task, after its transaction commits.
        emails = queued_tasks(args.broker_db)
        print(f"Confirmation emails queued in the broker: {emails} for {accepted} registrations")
        if emails != accepted:
            failed.append(f"{emails} email tasks queued for {accepted} registrations")
    finally:
        stop_process(server, timeout=15)
        # Queued confirmation emails to benchmark addresses: no worker should ever send them.
        flush_redis(args.broker_db)
    if failed:
        sys.exit("Check failed: " + " | ".join(failed))
    print(
        "Checked: one row and one queued email per registration, "
        "confirmed == min(capacity, total), waitlist 1..n"
    )
    report.finish()


if __name__ == "__main__":
    main()
