"""Where a request's time goes inside the portal, for benchmarks/load.py: a middleware, first in
the load test's MIDDLEWARE, that answers with a Server-Timing header:

  app   wall time from the first middleware in to the response out (ms)
  cpu   CPU time the request's thread used in that time
  db    time spent in database queries (waiting on PostgreSQL, locks included)
  lock  of which in SELECT ... FOR UPDATE (an event's allocation lock, mostly waiting for it)
  gc    time the process spent collecting garbage meanwhile, in any thread: a collection holds
        the GIL, so it stalls every thread of the process

The time a client waited beyond `app` was spent before the portal saw the request (queued in
Varnish or gunicorn); `app` beyond `cpu` and `db` was waiting for the CPU (other threads, the
GIL), for Redis, or for a commit."""

import gc
import time

from django.db import connections

collecting = {"since": None, "seconds": 0.0}


def count_collections(phase, info):
    if phase == "start":
        collecting["since"] = time.perf_counter()
    elif collecting["since"] is not None:
        collecting["seconds"] += time.perf_counter() - collecting["since"]
        collecting["since"] = None


gc.callbacks.append(count_collections)


class ServerTimingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        spent = {"db": 0.0, "lock": 0.0}

        def timer(execute, sql, params, many, context):
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                took = time.perf_counter() - started
                spent["db"] += took
                if "FOR UPDATE" in sql:
                    spent["lock"] += took

        wall, cpu, collected = time.perf_counter(), time.thread_time(), collecting["seconds"]
        with connections["default"].execute_wrapper(timer):
            response = self.get_response(request)
        timings = {
            "app": time.perf_counter() - wall,
            "cpu": time.thread_time() - cpu,
            **spent,
            "gc": collecting["seconds"] - collected,
        }
        response["Server-Timing"] = ", ".join(
            f"{name};dur={seconds * 1000:.1f}" for name, seconds in timings.items()
        )
        return response
