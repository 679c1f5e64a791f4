"""Waiting for real Celery workers to finish everything queued, without fixed sleeps.

The broker is this run's own Redis database: the workers have drained it when no queue holds a
message and no message is delivered-but-unacknowledged. Tasks are acknowledged after they run
(CELERY_TASK_ACKS_LATE), so a task still running keeps its message in the "unacked" hash, and a
task it enqueues lands in a queue before it is acknowledged."""

import time

# A message moves from its queue to the unacked hash in two steps; seeing the broker idle on
# this many polls in a row rules out catching it between them.
STABLE_POLLS = 3


def broker_busy(client):
    queued = sum(client.llen(key) for key in client.keys() if client.type(key) == b"list")
    return queued + client.hlen("unacked")


def wait_until_idle(timeout=60):
    """Block until the workers have run every queued task (and the tasks those enqueued)."""
    from portal.celery import app

    deadline = time.monotonic() + timeout
    idle = 0
    with app.connection_for_write() as connection:
        client = connection.default_channel.client
        while idle < STABLE_POLLS:
            if time.monotonic() > deadline:
                raise AssertionError(f"the workers did not drain the broker in {timeout} s")
            idle = idle + 1 if not broker_busy(client) else 0
            time.sleep(0.05)


def wait_for(condition, timeout=60):
    """Poll `condition` until it is true; False if it never became true."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False
