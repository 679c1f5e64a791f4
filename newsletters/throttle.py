"""A global token bucket in Redis, shared by every worker, that keeps sending under the email
provider's rate limit (NEWSLETTERS_RATE_PER_SECOND, with bursts up to NEWSLETTERS_RATE_BURST).

The bucket lives in one Lua script so taking a token is atomic across workers, and it reads
Redis's own clock so workers with drifting clocks agree. Losing the key (cache eviction, a
restart) only refills the bucket: it can never block sending."""

import threading
import time

import redis
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from redis.exceptions import RedisError

_TAKE = """
local key = KEYS[1]
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local wanted = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local state = redis.call('HMGET', key, 'tokens', 'at')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or now
tokens = math.min(burst, tokens + (now - at) * rate)
local wait = 0
if tokens >= wanted then
  tokens = tokens - wanted
else
  wait = (wanted - tokens) / rate
end
redis.call('HSET', key, 'tokens', tokens, 'at', now)
redis.call('EXPIRE', key, 3600)
return tostring(wait)
"""

KEY = "newsletters:send-bucket"
REDIS_BACKENDS = (
    "django.core.cache.backends.redis.RedisCache",
    "portal.cache.ResilientRedisCache",
)
# Tokens are taken in batches worth this many seconds of the rate, and never more than
# MAX_BATCH at once: a sender that dies holding a batch wastes at most that many.
BATCH_SECONDS = 0.05
MAX_BATCH = 20
SHARED_RETRY_SECONDS = 5
_client = None
_script = None


def misconfiguration():
    """Why the throttle cannot work with these settings, or None. Every sender must share one
    bucket, kept in the default cache's Redis: with any other cache a rate set for the provider
    would be silently ignored, so the system check (newsletters/checks.py) refuses to start."""
    if not settings.NEWSLETTERS_RATE_PER_SECOND:
        return None
    if settings.CACHES["default"]["BACKEND"] not in REDIS_BACKENDS:
        return (
            f"NEWSLETTERS_RATE_PER_SECOND is {settings.NEWSLETTERS_RATE_PER_SECOND} but the "
            "default cache is not on Redis, where the senders share their rate"
        )
    return None


def _redis_url():
    location = settings.CACHES["default"]["LOCATION"]
    return location[0] if isinstance(location, list | tuple) else location


def _take_script():
    global _client, _script
    if _script is None:
        problem = misconfiguration()
        if problem:
            raise ImproperlyConfigured(problem)
        # Short timeouts: a cache that stops answering must not hold up sending.
        _client = redis.Redis.from_url(_redis_url(), socket_connect_timeout=0.5, socket_timeout=2)
        _script = _client.register_script(_TAKE)
    return _script


def batch_size(wanted):
    """Tokens to take at once for `wanted` more messages: as many as the rate allows in
    BATCH_SECONDS (at least one, at most the burst), so a fast sender asks Redis once per
    batch while a slow one still takes tokens one by one, as they trickle in."""
    rate = settings.NEWSLETTERS_RATE_PER_SECOND
    if not rate:
        return wanted
    fits = max(1, min(int(rate * BATCH_SECONDS), settings.NEWSLETTERS_RATE_BURST, MAX_BATCH))
    return max(1, min(wanted, fits))


def take(count=1):
    """Block until sending `count` more messages keeps under the global rate. `count` must be
    at most the burst (use batch_size). Tokens taken and not used are lost, which only ever
    sends slower than the rate. While the cache's Redis is unreachable, each process keeps a
    bucket of its own at a share of the rate (`_local`), so sending goes on, more slowly."""
    rate = settings.NEWSLETTERS_RATE_PER_SECOND
    if not rate:
        return
    script = _take_script()
    while True:
        if time.monotonic() < _local.shared_down_until:
            time.sleep(_local.take(count))
            return
        try:
            wait = float(script(keys=[KEY], args=[rate, settings.NEWSLETTERS_RATE_BURST, count]))
        except RedisError:
            # Asked again after a few seconds, not before every batch.
            _local.shared_down_until = time.monotonic() + SHARED_RETRY_SECONDS
            time.sleep(_local.take(count))
            return
        if wait <= 0:
            return
        time.sleep(wait)


class _LocalBucket:
    """This process's bucket while the shared one is out of reach: the rate shared by the
    sending lanes, as if every lane ran in a process of its own, so all of them together
    never exceed the global rate."""

    def __init__(self):
        self.lock = threading.Lock()
        self.tokens = None
        self.at = time.monotonic()
        self.shared_down_until = 0.0

    def take(self, wanted):
        """Take `wanted` tokens, going into debt if need be; the seconds to wait first."""
        rate = settings.NEWSLETTERS_RATE_PER_SECOND / max(1, settings.NEWSLETTERS_SEND_LANES)
        burst = max(1.0, settings.NEWSLETTERS_RATE_BURST / max(1, settings.NEWSLETTERS_SEND_LANES))
        with self.lock:
            now = time.monotonic()
            tokens = burst if self.tokens is None else self.tokens
            self.tokens = min(burst, tokens + (now - self.at) * rate) - wanted
            self.at = now
            return max(0.0, -self.tokens / rate)


_local = _LocalBucket()
