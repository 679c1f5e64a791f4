"""The visitors benchmarks/load.py simulates, for locust (headless): a burst after a newsletter.

90% of requests: anonymous browsing (home, listings, case studies, events, force pages, feeds,
the sitemap) and search; 8%: registrations for one event (its page, then the form); 2%:
subscriptions (the page, then the form). Each visitor has its own address (X-Forwarded-For).

Per request type it records latency, errors and the database queries the portal made (its
X-DB-Queries header; 0 for an answer Varnish gave from its cache, which never reached the
portal), and writes them to LOAD_RESULTS (JSON) when locust quits. The run stops itself at
LOAD_MAX_REQUESTS requests (and at locust's --run-time).
"""

import itertools
import json
import os
import random
from collections import defaultdict

import gevent
from locust import FastHttpUser, between, events, task

PLAN = json.loads(os.environ["LOAD_PLAN"])
MAX_REQUESTS = int(os.environ["LOAD_MAX_REQUESTS"])
RESULTS = os.environ["LOAD_RESULTS"]
SEARCHES = ["missing", "custody", "exploitation", "domestic abuse", "online grooming"]
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
    lambda: {"ms": [], "errors": 0, "failures": defaultdict(int), "queries": [], "hits": 0}
)
counter = itertools.count(1)
addresses = itertools.count(1)


def address():
    n = next(addresses)
    return f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"


@events.request.add_listener
def record(request_type, name, response_time, response_length, response, exception, **kwargs):
    sample = samples[name]
    sample["ms"].append(response_time)
    if exception is not None:
        sample["errors"] += 1
        sample["failures"][str(exception)[:200]] += 1
    headers = getattr(response, "headers", None) or {}
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


runner = {"runner": None}


@events.init.add_listener
def keep_runner(environment, **kwargs):
    runner["runner"] = environment.runner


@events.quitting.add_listener
def write_results(environment, **kwargs):
    with open(RESULTS, "w", encoding="utf-8") as out:
        json.dump(samples, out)


class Visitor(FastHttpUser):
    abstract = True
    wait_time = between(0.0, 0.05)

    def on_start(self):
        self.client_address = address()

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
            self.get(random.choice(["/events/feed.ics", "/sitemap.xml"]), kind)
        elif kind == "home":
            self.get("/", kind)
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
        self.get("/newsletters/subscribe/", "subscribe: page")
        self.post(
            "/newsletters/subscribe/",
            {**PLAN["subscription"], "email": f"load-{random.getrandbits(64):x}@example.org"},
            "subscribe: post",
        )
