"""What the services under the portal were doing during a load run, to tell the portal's own
slowness from the machine's: a thread commits one small write to PostgreSQL and sets one key
in Redis every PROBE_INTERVAL seconds, and records how long each took.

A commit waits for its write-ahead log to reach the disk, so a long probe commit means every
commit made then (registrations, sign-ups) waited as long, whatever the portal did: on a shared
host the disk can stall for a second at a time. A slow request is counted "during a stall" when
it was under way while a probe commit or Redis call took longer than STALL_MS."""

import threading
import time

import psycopg
import redis
from _setup import percentile

PROBE_INTERVAL = 0.05
STALL_MS = 100


class StallProbe(threading.Thread):
    def __init__(self, database_url, redis_url):
        super().__init__(daemon=True)
        self.database_url, self.redis_url = database_url, redis_url
        # (started at, by time.time(); milliseconds) per probe.
        self.commits, self.redis_calls = [], []
        self.stopping = threading.Event()

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        self.join()

    def run(self):
        cache = redis.Redis.from_url(self.redis_url)
        with psycopg.connect(self.database_url, autocommit=True) as connection:
            connection.execute(
                "CREATE TABLE IF NOT EXISTS bench_commit_probe"
                " (id int PRIMARY KEY, at timestamptz)"
            )
            connection.execute(
                "INSERT INTO bench_commit_probe VALUES (1, now()) ON CONFLICT (id) DO NOTHING"
            )
            write = "UPDATE bench_commit_probe SET at = now()"
            while not self.stopping.wait(PROBE_INTERVAL):
                self.commits.append(timed(connection.execute, write))
                self.redis_calls.append(timed(cache.set, "bench-probe", "1"))

    def stalls(self):
        """(started, ended) of every probe that took longer than STALL_MS, by time.time()."""
        return [
            (start, start + ms / 1000)
            for start, ms in self.commits + self.redis_calls
            if ms > STALL_MS
        ]

    def summary(self, requests, slow_ms):
        """One line: the probes' latencies, and how many of `requests` ((started, ms) pairs)
        that took over `slow_ms` were under way during a stall."""
        stalls = self.stalls()
        slow = [(start, start + ms / 1000) for start, ms in requests if ms > slow_ms]
        during = sum(1 for start, end in slow if any(s < end and start < e for s, e in stalls))
        return (
            f"database commits {describe(self.commits)}; Redis {describe(self.redis_calls)}; "
            f"{len(slow)} over {slow_ms} ms, {during} of them during a stall"
        )


def timed(call, *args):
    started, clock = time.time(), time.perf_counter()
    call(*args)
    return started, (time.perf_counter() - clock) * 1000


def describe(probes):
    ms = [m for _, m in probes]
    if not ms:
        return "not probed"
    over = sum(1 for m in ms if m > STALL_MS)
    return (
        f"p50 {percentile(ms, 0.5):.1f} ms, p99 {percentile(ms, 0.99):.1f} ms, "
        f"max {max(ms):.0f} ms ({over} of {len(ms)} over {STALL_MS} ms)"
    )
