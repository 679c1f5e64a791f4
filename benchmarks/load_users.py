"""The visitors benchmarks/load.py simulates, for locust (headless): a burst after a newsletter.

90% of requests: anonymous browsing (home, listings, case studies, events, force pages, feeds,
the sitemap) and search; 8%: registrations for one event (its page, then the form); 2%:
subscriptions (the page, then the form). Each visitor has its own address (X-Forwarded-For).

Per request type it records when each request was sent, its latency, errors and the database
queries the portal made (its X-DB-Queries header; 0 for an answer Varnish gave from its cache,
which never reached the portal), and writes them to LOAD_RESULTS (JSON) when locust quits. The
run stops itself at LOAD_MAX_REQUESTS requests (and at locust's --run-time).

Visitors come as fast as they are answered (a short pause between visits), or, with LOAD_RATE,
at that many requests a second in all (spread over LOAD_USERS visitors): the load at which a
latency goal is stated, rather than all the machine can take.
"""

import itertools
import json
import os
import random
import time
from collections import defaultdict

import gevent
from load_plan import FEEDS, HOME, SEARCHES, SUBSCRIBE
from locust import FastHttpUser, between, events, task

PLAN = json.loads(os.environ["LOAD_PLAN"])
MAX_REQUESTS = int(os.environ["LOAD_MAX_REQUESTS"])
RESULTS = os.environ["LOAD_RESULTS"]
RATE = float(os.environ.get("LOAD_RATE") or 0)
USERS = int(os.environ["LOAD_USERS"])
# Requests per visit on average: browsing is one request, registering and subscribing two each
# (Reader's weights 90, 4 and 1).
REQUESTS_PER_VISIT = (90 * 1 + 4 * 2 + 1 * 2) / 95
# What a newsletter's readers browse: mostly the case studies and events it links to.
BROWSING = [
    ("practice", 8),
    ("events", 3),
    ("home", 3),
    ("listings", 3),
    ("forces", 2),
    ("feed/sitemap", 1),
    ("search", 2),
]

samples = defaultdict(
    lambda: {
        "ms": [],
        "started": [],
        "server": [],
        "errors": 0,
        "failures": defaultdict(int),
        "queries": [],
        "hits": 0,
    }
)
# When the first request was sent and the last answered (time.time()), for the rate served.
span = {"first": None, "last": None}
counter = itertools.count(1)
addresses = itertools.count(1)


def address():
    n = next(addresses)
    return f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"


@events.request.add_listener
def record(request_type, name, response_time, response_length, response, exception, **kwargs):
    now = time.time()
    started = now - response_time / 1000
    span["first"] = min(span["first"] or now, started)
    span["last"] = now
    sample = samples[name]
    sample["ms"].append(response_time)
    sample["started"].append(started)
    if exception is not None:
        sample["errors"] += 1
        sample["failures"][str(exception)[:200]] += 1
    headers = getattr(response, "headers", None) or {}
    sample["server"].append(server_timing(headers.get("Server-Timing")))
    if headers.get("X-Cache") == "hit":
        sample["queries"].append(0)
        sample["hits"] += 1
    elif headers.get("X-DB-Queries") is not None:
        sample["queries"].append(int(headers["X-DB-Queries"]))
        if headers.get("X-Page-Cache") == "hit":
            sample["hits"] += 1
    if next(counter) == MAX_REQUESTS and runner["runner"] is not None:
        # From a greenlet of its own: quitting stops the visitor greenlet this runs in.
        gevent.spawn(runner["runner"].quit)


def server_timing(header):
    """{"app": ms, ...} from the portal's Server-Timing header (benchmarks/load_timing.py)."""
    if not header:
        return None
    timings = {}
    for metric in header.split(","):
        name, _, duration = metric.strip().partition(";dur=")
        timings[name] = float(duration)
    return timings


runner = {"runner": None}


@events.init.add_listener
def keep_runner(environment, **kwargs):
    runner["runner"] = environment.runner


@events.quitting.add_listener
def write_results(environment, **kwargs):
    with open(RESULTS, "w", encoding="utf-8") as out:
        json.dump({"samples": samples, "span": span}, out)


def seconds_between_visits():
    return USERS * REQUESTS_PER_VISIT / RATE


def on_schedule(user):
    """With LOAD_RATE: each visitor's visits fall due at fixed intervals from its start, so one
    slow answer delays the visits after it but does not lower the rate (a visitor behind
    schedule visits again at once)."""
    user.next_visit += seconds_between_visits()
    return max(0.0, user.next_visit - time.monotonic())


class Visitor(FastHttpUser):
    abstract = True
    wait_time = on_schedule if RATE else between(0.0, 0.05)

    def on_start(self):
        self.client_address = address()
        if RATE:
            # Spread over one interval: visitors started together would keep arriving together.
            self.next_visit = time.monotonic() + random.uniform(0, seconds_between_visits())
            gevent.sleep(self.next_visit - time.monotonic())

    def get(self, url, name, new_visitor=False):
        with self.client.get(
            url,
            name=name,
            headers={"X-Forwarded-For": address() if new_visitor else self.client_address},
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")

    def post(self, url, data, name):
        # A new visitor for every form: per-address limits (10 sign-ups an hour) apply to
        # people, and a burst is many people posting once.
        headers = {
            "X-Forwarded-For": address(),
            "Origin": self.host,
            "Sec-Fetch-Site": "same-origin",
        }
        with self.client.post(
            url, data=data, name=name, headers=headers, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 302:
                response.failure(f"HTTP {response.status_code}")


class Reader(Visitor):
    """One visitor from the newsletter: each visit is browsing (90 in 95), registering for the
    event (4 in 95, two requests) or subscribing (1 in 95, two requests), so requests are 90%
    browsing and search, 8% registration and 2% subscription whatever the number of users."""

    @task(90)
    def browse(self):
        kind = random.choices(BROWSING, weights=[w for _, w in BROWSING])[0][0]
        if kind == "search":
            # Searches come from many people (the per-address limit is 120 a minute).
            self.get(f"/search/?q={random.choice(SEARCHES)}", "search", new_visitor=True)
        elif kind == "feed/sitemap":
            self.get(random.choice(FEEDS), kind)
        elif kind == "home":
            self.get(HOME, kind)
        else:
            self.get(random.choice(PLAN[kind]), kind)

    @task(4)
    def register(self):
        self.get(PLAN["event"], "register: event page")
        self.post(
            PLAN["event_register"],
            {**PLAN["registration"], "email": f"load-{random.getrandbits(64):x}@avon.police.uk"},
            "register: post",
        )

    @task(1)
    def subscribe(self):
        self.get(SUBSCRIBE, "subscribe: page")
        self.post(
            SUBSCRIBE,
            {**PLAN["subscription"], "email": f"load-{random.getrandbits(64):x}@example.org"},
            "subscribe: post",
        )
