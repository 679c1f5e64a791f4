"""A Redis cache that is never a single point of failure.

Django's RedisCache raises when its server is unreachable, and Wagtail reads the cache on every
page (the site root paths), so a cache outage answered every page with a 500. This backend
treats Redis being unreachable as a miss instead, answering as Django's DummyCache does: reads
return their default, writes do nothing (`add` says it stored the key), and pages are rendered
from the database as if nothing were cached.

- One warning per process when the outage starts and one line when Redis answers again, not
  one per request. While it is down, Redis is not asked again for `RETRY_SECONDS`, so requests
  do not each wait for a connection to fail.
- Writes and deletes dropped during an outage may have been invalidations: on recovery the
  cache is cleared, so nothing stale outlives the outage.
- With `LOCAL_FALLBACK`, the backend counts in process memory while Redis is down instead of
  forgetting: the rate-limit cache uses it, so limits still hold per process during an outage
  (django-ratelimit otherwise refuses every request it cannot count).

OPTIONS: `RETRY_SECONDS` (default 5) and `LOCAL_FALLBACK` (default False) are this backend's;
the rest go to redis-py's connection pool as for Django's RedisCache. Short socket timeouts
are set unless given, so a server that stops answering costs a request well under a second.
"""

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("portal.cache")

UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)
DEFAULT_POOL_OPTIONS = {"socket_connect_timeout": 0.5, "socket_timeout": 2}


class _Outage:
    """Whether one Redis server is down, shared by every thread of the process."""

    def __init__(self):
        self.lock = threading.Lock()
        self.down_since = None
        self.retry_at = 0.0
        self.dropped_writes = False

    def skip(self):
        """True while Redis is known down and not yet due to be asked again."""
        return self.down_since is not None and time.monotonic() < self.retry_at

    def failed(self, location, exc, retry_seconds):
        with self.lock:
            self.retry_at = time.monotonic() + retry_seconds
            if self.down_since is not None:
                return
            self.down_since = time.monotonic()
        logger.warning(
            "The cache's Redis at %s is unreachable (%s): serving uncached until it answers",
            location,
            exc.__class__.__name__,
        )

    def answered(self, location):
        """Redis answered: True once, for the first answer after an outage."""
        if self.down_since is None:
            return False
        with self.lock:
            if self.down_since is None:
                return False
            seconds = time.monotonic() - self.down_since
            self.down_since = None
        logger.warning("The cache's Redis at %s answers again after %.0f s", location, seconds)
        return True


_outages = {}
_outages_lock = threading.Lock()


def _outage_for(location):
    with _outages_lock:
        return _outages.setdefault(location, _Outage())


class _SharedClient(RedisCacheClient):
    """One redis-py client per connection pool. Django builds a new client for every cache
    call, and each fills a table of some 170 response callbacks: a page answered from the
    cache makes several calls. redis-py's clients are safe to share between threads (each
    command takes a connection from the pool)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients.setdefault(id(pool), self._client(connection_pool=pool))
        return client


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        options = dict(params.get("OPTIONS", {}))
        self.retry_seconds = float(options.pop("RETRY_SECONDS", 5))
        local_fallback = bool(options.pop("LOCAL_FALLBACK", False))
        options = {**DEFAULT_POOL_OPTIONS, **options}
        super().__init__(server, {**params, "OPTIONS": options})
        self._class = _SharedClient
        self.location = ",".join(self._servers)
        self.outage = _outage_for(self.location)
        self.fallback = None
        if local_fallback:
            self.fallback = LocMemCache(f"outage-fallback:{self.location}", params)

    def _call(self, name, *args, default=None, writes=False, **kwargs):
        if self.outage.skip():
            return self._while_down(name, args, kwargs, default, writes)
        try:
            result = getattr(super(), name)(*args, **kwargs)
        except UNREACHABLE as exc:
            self.outage.failed(self.location, exc, self.retry_seconds)
            return self._while_down(name, args, kwargs, default, writes)
        if self.outage.answered(self.location):
            self._recovered()
        return result

    def _while_down(self, name, args, kwargs, default, writes):
        if writes:
            self.outage.dropped_writes = True
        if self.fallback is not None:
            return getattr(self.fallback, name)(*args, **kwargs)
        if name == "incr":
            # What Django's caches say for a key they do not hold.
            raise ValueError(f"Key {args[0]!r} not found: the cache is unreachable")
        return default

    def _recovered(self):
        """Anything written or deleted during the outage never reached Redis, and a delete
        that never happened leaves a stale entry behind: start afresh."""
        if not self.outage.dropped_writes:
            return
        self.outage.dropped_writes = False
        try:
            super().clear()
        except UNREACHABLE as exc:
            self.outage.dropped_writes = True
            self.outage.failed(self.location, exc, self.retry_seconds)
        if self.fallback is not None:
            self.fallback.clear()

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        # True, as Django's DummyCache answers: False would say another process holds the
        # key, and allauth's rate limits take that for a lock held elsewhere and refuse
        # every sign-in.
        return self._call("add", key, value, timeout, version, default=True, writes=True)

    def get(self, key, default=None, version=None):
        return self._call("get", key, default, version, default=default)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._call("set", key, value, timeout, version, writes=True)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", key, timeout, version, default=False, writes=True)

    def delete(self, key, version=None):
        return self._call("delete", key, version, default=False, writes=True)

    def get_many(self, keys, version=None):
        return self._call("get_many", keys, version, default={})

    def has_key(self, key, version=None):
        return self._call("has_key", key, version, default=False)

    def incr(self, key, delta=1, version=None):
        return self._call("incr", key, delta, version, writes=True)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        self._call("set_many", data, timeout, version, default=[], writes=True)
        return []

    def delete_many(self, keys, version=None):
        self._call("delete_many", keys, version, writes=True)

    def clear(self):
        return self._call("clear", default=False, writes=True)
