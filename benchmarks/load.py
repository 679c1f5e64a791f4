"""A load test people know: locust (headless) replays the burst a newsletter causes against the
portal, without and then with the page cache in front, and compares them.

Usage: python benchmarks/load.py [--users 50] [--seconds 30] [--requests 20000]
       [--workers 4] [--threads 4] [--cache varnish|application] [--broker-db 12 --cache-db 13]

Creates a scratch database (spe_bench_load) with the sample case studies and events and one
event to register for, then for each run starts on 127.0.0.1 only (benchmarks/load_stack.py):
gunicorn (gthread, with production's portal/gunicorn_conf.py) on PostgreSQL with Redis as cache
and broker (benchmarks/load_settings.py), the real Celery worker (confirmation emails are sent,
to a backend that discards them), and for the cached run Varnish (deploy/varnish/default.vcl,
/usr/sbin/varnishd) in front, or with --cache application the application's own page cache
alone; the cached run keeps anonymous search pages in the application's cache as well
(search/results_cache.py), the uncached run caches nothing. locust (benchmarks/load_users.py)
then sends the mix: 90% anonymous browsing and search, 8% registrations for the one event, 2%
subscriptions, until --requests requests or --seconds seconds, whichever comes first; every
server is stopped afterwards. Both runs send requests as fast as they are answered, so they
measure what the machine can serve, and their latency is what a saturated machine gives.

A third run asks the cached stack for exactly the goal's multiple of the uncached run's
requests/s (the "cached/uncached requests/s" target, 10), at the same 50 users: the issue's
goal is a latency at that load ("serves 10 times the uncached requests/s at p95 under 100 ms"),
which the saturated run cannot show.

Prints, per run and request type: requests, p50/p95 latency, errors, database queries per
request (the portal's X-DB-Queries header; 0 for Varnish hits) and cache hits; for the
registrations, how many took over 300 ms and how many of those were under way while a probe
saw PostgreSQL's commits or Redis stall (benchmarks/load_probe.py), and where their time went
inside the portal (its Server-Timing header, benchmarks/load_timing.py); then one line:
cached_rps=... uncached_rps=... ratio=... p95_ms=... errors=...
and the figures against their targets ([load] in benchmarks/targets.toml), exiting non-zero
when one is past its target.

Redis databases --broker-db and --cache-db are flushed at the start of each run.
"""

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _targets import Report, load_targets
from load_plan import FEEDS, HOME, SEARCHES, SUBSCRIBE
from load_probe import StallProbe
from load_report import report
from load_stack import DATABASE, HERE, POSTGRES, REDIS, ROOT, VARNISHD, Stack

EVENT_TITLE = "The event everyone registers for"


def prepare(reuse):
    """In a process of its own (Django, not gevent), started in the repository's root: the
    database, and the plan of URLs. Celery puts the working directory first on sys.path, where
    a benchmark's name (benchmarks/insight.py) must not hide an app's."""
    while str(HERE) in sys.path:
        sys.path.remove(str(HERE))
    sys.path.append(str(HERE))
    from _setup import SAMPLE_DATA, django_setup, scratch_database

    if reuse:
        os.environ["DATABASE_URL"] = f"{POSTGRES}/{DATABASE}"
    else:
        scratch_database(DATABASE)
    django_setup("load_settings")
    from django.urls import reverse
    from registration import make_event

    from events.importer import import_events
    from events.models import EventPage
    from practice.importer import import_practice
    from practice.models import PracticePage
    from taxonomy.models import JobRole, Organisation

    if reuse:
        event = EventPage.objects.get(title=EVENT_TITLE)
        # Every run starts from an event nobody has registered for yet: otherwise each run's
        # thousands of registrations would stay, and the seat count taken under the event's
        # lock (events.booking) would cost more with every run.
        forget_registrations(event)
        vacuum()
    else:
        import_practice(SAMPLE_DATA / "practice.jsonl")
        import_events(SAMPLE_DATA / "events.jsonl")
        event = make_event(EVENT_TITLE, capacity=100_000)
    forces = Organisation.objects.filter(kind="force", territorial=True).order_by("slug")[:10]
    plan = {
        "listings": ["/practice/", "/events/", "/forces/", "/recommendations/"],
        "practice": [p.url for p in PracticePage.objects.live().public()[:50]],
        "events": [e.url for e in EventPage.objects.live().public()[:20]],
        "forces": [f"/forces/{force.slug}/" for force in forces],
        "event": event.url,
        # Where the event page's registration form posts (its action).
        "event_register": reverse("events:register", args=[event.pk]),
        "registration": {
            "name": "Load test",
            "organisation": Organisation.objects.get(slug="avon-and-somerset-constabulary").pk,
            "role": JobRole.objects.get(slug="response-officer").pk,
        },
        "subscription": {
            "organisation_type": "force",
            "criteria": "initial-contact",
            "frequency": "weekly",
        },
    }
    print(json.dumps(plan))


def forget_registrations(event):
    from django.db import connection

    from events.models import EventState

    # In SQL: the ORM would send a signal per registration (the page cache's seat check), and
    # there is no cache to purge before a run.
    theirs = "SELECT id FROM events_registration WHERE event_id = %s"
    with connection.cursor() as cursor:
        for table in ("events_registrationemail", "events_feedback"):
            cursor.execute(f"DELETE FROM {table} WHERE registration_id IN ({theirs})", [event.pk])  # noqa: S608
        cursor.execute("DELETE FROM events_registration WHERE event_id = %s", [event.pk])
    EventState.objects.filter(event=event).delete()


def vacuum():
    """Clear the dead rows earlier runs left in the tables a run writes. Where autovacuum is
    off (as on some development machines) they would pile up from run to run, and every run
    would scan more of them than the last; production's PostgreSQL has autovacuum on."""
    from django.db import connection

    written = [
        "portal_outboxmessage",
        "events_registration",
        "events_registrationemail",
        "events_emailcooldown",
        "newsletters_subscriber",
        "search_pageviewcount",
    ]
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE " + ", ".join(written))


def prime(host, plan, threads):
    """Request every page and search of the plan once, and send each form `threads` times at
    once, before a run. A newsletter's readers arrive over minutes as it is sent
    (NEWSLETTERS_RATE_PER_SECOND), so the first of them have filled the cache, and the portal's
    processes have loaded their templates and been through each form, long before the peak;
    without this, every run began with all 50 users waiting on the same first renders (seconds)
    and first registrations (the slowest registrations of a run at the goal's rate were its
    first half second), which is not the burst being measured."""
    from concurrent.futures import ThreadPoolExecutor

    import requests

    urls = [HOME, *FEEDS, SUBSCRIBE, plan["event"]]
    urls += [url for kind in ("listings", "practice", "events", "forces") for url in plan[kind]]
    urls += [f"/search/?q={query}" for query in SEARCHES]
    with requests.Session() as session:
        for url in urls:
            response = session.get(host + url, headers={"X-Forwarded-For": "10.255.0.1"})
            if response.status_code != 200:
                sys.exit(f"Priming: {url} answered {response.status_code}")

    def post(form):
        n, url, data, domain = form
        response = requests.post(
            host + url,
            data={**data, "email": f"prime-{time.time_ns()}-{n}@{domain}"},
            headers={
                "X-Forwarded-For": f"10.254.{n // 256}.{n % 256}",
                "Origin": host,
                "Sec-Fetch-Site": "same-origin",
            },
            allow_redirects=False,
            timeout=60,
        )
        if response.status_code != 302:
            sys.exit(f"Priming: a post to {url} answered {response.status_code}")

    forms = [
        (plan["event_register"], plan["registration"], "avon.police.uk"),
        (SUBSCRIBE, plan["subscription"], "example.org"),
    ]
    with ThreadPoolExecutor(max_workers=threads) as pool:
        for url, data, domain in forms:
            list(pool.map(post, [(n, url, data, domain) for n in range(threads)]))


def run_locust(args, host, plan, workdir, rate=None):
    """One locust run; `rate`: requests/s in all, instead of as fast as they are answered."""
    results = Path(workdir) / "results.json"
    env = os.environ | {
        "LOAD_PLAN": json.dumps(plan),
        "LOAD_MAX_REQUESTS": str(args.requests),
        "LOAD_RESULTS": str(results),
        "LOAD_USERS": str(args.users),
        "LOAD_RATE": str(rate or ""),
    }
    started = time.monotonic()
    probe = StallProbe(f"{POSTGRES}/{DATABASE}", f"{REDIS}/{args.cache_db}")
    with probe:
        run_locust_process(args, host, env)
    elapsed = time.monotonic() - started
    results = json.loads(results.read_text())
    return results["samples"], measured_seconds(results["span"], elapsed, args, rate), probe


def run_locust_process(args, host, env):
    subprocess.run(  # noqa: S603 (our own arguments)
        [
            sys.executable,
            "-m",
            "locust",
            "-f",
            str(HERE / "load_users.py"),
            "--headless",
            "--host",
            host,
            "--users",
            str(args.users),
            "--spawn-rate",
            str(args.users),
            "--run-time",
            f"{args.seconds}s",
            "--stop-timeout",
            "10",
            "--only-summary",
            "--loglevel",
            "WARNING",
        ],
        cwd=HERE,
        env=env,
        check=False,
        timeout=args.seconds + 120,
        stdout=subprocess.DEVNULL,
    )


def show_logs(workdir, lines=40):
    """What the servers said, for a run with errors (their directory goes with the run)."""
    for log in sorted(Path(workdir).glob("*.log")):
        tail = log.read_text(errors="replace").splitlines()[-lines:]
        if tail:
            print(f"  --- last {len(tail)} lines of {log.name}")
            print("\n".join(f"  {line}" for line in tail))


def measured_seconds(span, elapsed, args, rate):
    """The time the requests/s are counted over. At a set rate: from the first request sent to
    the last answered, since the rate served is what is measured. Otherwise locust's own run
    time (the requests stop at --requests or --seconds); the wall time around it includes
    start-up, so the shorter of the two bounds is the honest one."""
    if rate and span["first"] is not None:
        return span["last"] - span["first"]
    return min(elapsed, args.seconds)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--requests", type=int, default=20_000)
    # Two worker processes per core: a worker's threads take turns on its one GIL, so with one
    # per core a slow search holds up the fast requests queued behind it in the same worker.
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--cache", choices=["varnish", "application"], default=None)
    parser.add_argument("--broker-db", type=int, default=12)
    parser.add_argument("--cache-db", type=int, default=13)
    parser.add_argument(
        "--reuse-database", action="store_true", help=f"keep {DATABASE} from an earlier run"
    )
    parser.add_argument("--prepare", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare:
        prepare(args.reuse_database)
        return
    cache = args.cache or ("varnish" if Path(VARNISHD).exists() else "application")
    print(f"Preparing {DATABASE} (sample case studies and events)...", flush=True)
    prepared = subprocess.run(  # noqa: S603 (our own arguments)
        [
            sys.executable,
            __file__,
            "--prepare",
            *(["--reuse-database"] if args.reuse_database else []),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        # Tasks (the search index) run inline while the content is loaded.
        env=os.environ
        | {
            "REDIS_URL": f"{REDIS}/{args.cache_db}",
            "DEBUG": "false",
            "CELERY_BROKER_URL": "memory://",
        },
    )
    if prepared.returncode:
        sys.exit(f"Preparing the database failed:\n{prepared.stderr[-3000:]}")
    plan = json.loads(prepared.stdout.strip().splitlines()[-1])
    print(
        f"{args.users} users, at most {args.requests} requests or {args.seconds} s per run; "
        f"gunicorn {args.workers} workers x {args.threads} threads; cache: {cache}"
    )
    targets = Report("load")
    multiple = load_targets("load")["cached/uncached requests/s"]["min"]
    figures = {}
    # (name, cache, at the goal's rate): the last run's rate follows from the first's figures.
    for name, mode, at_goal_rate in (
        ("uncached", None, False),
        ("cached", cache, False),
        ("rate", cache, True),
    ):
        rate, label = None, name
        if at_goal_rate:
            rate = multiple * figures["uncached"]["rps"]
            label = f"cached, asked for {multiple:g} x the uncached requests/s ({rate:.0f}/s)"
        with tempfile.TemporaryDirectory(prefix="load-") as workdir:
            with Stack(args, mode, workdir) as stack:
                prime(stack.host, plan, args.workers * args.threads)
                samples, seconds, probe = run_locust(args, stack.host, plan, workdir, rate)
            figures[name] = report(f"{label} ({mode or 'no cache'}):", samples, seconds, probe)
            if figures[name]["errors"]:
                show_logs(workdir)
    cached, uncached, at_rate = figures["cached"], figures["uncached"], figures["rate"]
    ratio = cached["rps"] / uncached["rps"] if uncached["rps"] else math.inf
    errors = cached["errors"] + uncached["errors"] + at_rate["errors"]
    print(
        f"\ncached_rps={cached['rps']:.1f} uncached_rps={uncached['rps']:.1f} "
        f"ratio={ratio:.1f} p95_ms={cached['p95']:.1f} errors={errors} "
        f"rate_rps={at_rate['rps']:.1f} rate_p95_ms={at_rate['p95']:.1f} "
        f"rate_register_p95_ms={at_rate['register_p95']:.1f}"
    )
    targets.add("cached/uncached requests/s", ratio)
    targets.add("cached p95 ms, shared pages", cached["shared_p95"])
    # With 50 users sending as fast as they are answered, the mean latency follows from the
    # requests/s (Little's law: 50 / rps minus the pause between visits): at saturation it is
    # the queue, shown for comparison; the goals apply at the goal's rate below.
    targets.add("saturated: p95 ms", cached["p95"], untargeted=True)
    targets.add("saturated: registration POST p95 ms", cached["register_p95"], untargeted=True)
    # The run at the goal's rate counts only if it was served that rate.
    targets.add("goal's rate: share served", at_rate["rps"] / (multiple * uncached["rps"]))
    targets.add("goal's rate: p95 ms", at_rate["p95"])
    targets.add("goal's rate: registration POST p95 ms", at_rate["register_p95"])
    targets.add("errors", errors)
    targets.add("cached requests/s", cached["rps"], untargeted=True)
    targets.add("uncached requests/s", uncached["rps"], untargeted=True)
    targets.finish()


if __name__ == "__main__":
    main()
