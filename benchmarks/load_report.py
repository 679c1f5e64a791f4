"""What benchmarks/load.py prints for each run: per request type, requests, p50/p95 latency,
errors, database queries and cache hits; for registrations, whether the slow ones coincided
with the database or Redis stalling (benchmarks/load_probe.py) and where their time went inside
the portal (benchmarks/load_timing.py)."""

import math

from _setup import percentile

# Request types (benchmarks/load_users.py) for pages anyone may be given from the cache.
SHARED_PAGES = ["practice", "events", "home", "listings", "forces", "feed/sitemap"]
# The registration latency goal (ms), for counting the registrations slower than it.
REGISTRATION_GOAL_MS = 300


def report(label, samples, seconds, probe):
    print(f"\n{label}")
    print(
        f"  {'request':24} {'count':>6} {'p50 ms':>8} {'p95 ms':>8} {'errors':>6} "
        f"{'queries':>8} {'hits':>6}"
    )
    every, errors, queries = [], 0, []
    for name in sorted(samples):
        sample = samples[name]
        times, q = sample["ms"], sample["queries"]
        every += times
        errors += sample["errors"]
        queries += q
        mean_q = sum(q) / len(q) if q else float("nan")
        print(
            f"  {name:24} {len(times):6d} {percentile(times, 0.5):8.1f} "
            f"{percentile(times, 0.95):8.1f} {sample['errors']:6d} {mean_q:8.1f} "
            f"{sample['hits']:6d}"
        )
        for failure, count in sorted(sample.get("failures", {}).items()):
            print(f"    {count} x {failure}")
    shared = [t for name in SHARED_PAGES if name in samples for t in samples[name]["ms"]]
    if shared:
        print(
            f"  browsing of shared pages (not search, not forms): {len(shared)} requests, "
            f"p95 {percentile(shared, 0.95):.1f} ms"
        )
    shared_p95 = percentile(shared, 0.95) if shared else math.nan
    register = samples.get("register: post", {}).get("ms", [])
    register_p95 = percentile(register, 0.95) if register else math.nan
    rps = len(every) / seconds if seconds else 0.0
    p95 = percentile(every, 0.95) if every else math.nan
    mean_q = sum(queries) / len(queries) if queries else math.nan
    print(
        f"  all: {len(every)} requests in {seconds:.1f} s = {rps:.1f} requests/s, "
        f"p50 {percentile(every, 0.5):.1f} ms, p95 {p95:.1f} ms, {errors} errors, "
        f"{mean_q:.2f} database queries per request"
    )
    posts = samples.get("register: post", {})
    registrations = list(zip(posts.get("started", []), posts.get("ms", []), strict=True))
    print(f"  registration POSTs and stalls: {probe.summary(registrations, REGISTRATION_GOAL_MS)}")
    if posts:
        print(f"  registration POSTs, where the time went: {breakdown(posts)}")
    return {
        "rps": rps,
        "p95": p95,
        "errors": errors,
        "shared_p95": shared_p95,
        "register_p95": register_p95,
    }


def breakdown(sample):
    """Median milliseconds, over all requests of `sample` and over those slower than the goal:
    as the client saw it, then inside the portal (benchmarks/load_timing.py)."""
    parts = []
    for label, keep in (("all", lambda ms: True), ("slow", lambda ms: ms > REGISTRATION_GOAL_MS)):
        rows = [
            {"client": ms, **server}
            for ms, server in zip(sample["ms"], sample["server"], strict=True)
            if server and keep(ms)
        ]
        if not rows:
            continue
        medians = ", ".join(
            f"{name} {percentile([row[name] for row in rows], 0.5):.0f}"
            for name in ("client", "app", "cpu", "db", "lock", "gc")
        )
        parts.append(f"{label} ({len(rows)}): {medians}")
    return "; ".join(parts) + " (median ms)"
