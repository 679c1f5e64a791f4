"""Page rendering: p50/p95 latency of the public pages on PostgreSQL with the shared corpus.

Usage: python benchmarks/pages.py [--repeat N]

Imports sample_data/practice.jsonl and events.jsonl into a scratch database (spe_bench_pages)
and renders each page N times through Django's full request stack (middleware, templates,
database queries), reporting latency and queries per request against benchmarks/targets.toml
(exits non-zero when a figure is past its target).
"""

import argparse
import time

from _setup import SAMPLE_DATA, django_setup, percentile, scratch_database
from _targets import Report


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()

    scratch_database("spe_bench_pages")
    django_setup()

    from django.db import connection
    from django.test import Client

    from events.importer import import_events
    from practice.importer import import_practice
    from practice.models import PracticePage

    import_practice(SAMPLE_DATA / "practice.jsonl")
    import_events(SAMPLE_DATA / "events.jsonl")
    client = Client(HTTP_HOST="localhost")
    practice = PracticePage.objects.live().first()
    pages = {
        "home": "/",
        "practice listing": "/practice/",
        "practice listing, 2 filters": (
            "/practice/?criterion=initial-contact&theme=missing-children"
        ),
        "practice page": practice.url,
        "events listing (past)": "/events/?when=past",
    }
    report = Report("pages")
    print(f"{'page':32} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}")
    for name, url in pages.items():
        assert client.get(url).status_code == 200, url
        # A wrapper, not CaptureQueriesContext: each request resets Django's query log.
        queries = QueryCounter()
        with connection.execute_wrapper(queries):
            client.get(url)
        timings = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            client.get(url)
            timings.append((time.perf_counter() - start) * 1000)
        print(
            f"{name:32} {percentile(timings, 0.5):8.1f} {percentile(timings, 0.95):8.1f} "
            f"{queries.count:8d}"
        )
        report.add(f"{name} p95 ms", percentile(timings, 0.95), target_name="p95 ms")
        report.add(f"{name} queries", queries.count)
    report.finish()


if __name__ == "__main__":
    main()
