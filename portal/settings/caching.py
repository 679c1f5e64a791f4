"""The caches every environment configures the same way: the default cache, and the one
django-ratelimit counts in, both on the cache's Redis through portal.cache, whose backend
serves pages uncached (and counts rate limits in process memory) while that Redis is down.
"""

RESILIENT_REDIS = "portal.cache.ResilientRedisCache"


def redis_caches(location, key_prefix="", retry_seconds=5):
    """CACHES for the cache's Redis at `location` (redis://host:port/db)."""
    common = {"BACKEND": RESILIENT_REDIS, "LOCATION": location, "KEY_PREFIX": key_prefix}
    return {
        "default": {**common, "OPTIONS": {"RETRY_SECONDS": retry_seconds}},
        # Rate-limit counters: during an outage each process counts on its own, so a limit
        # still holds (per process) instead of refusing or waving through every request.
        "ratelimit": {
            **common,
            "OPTIONS": {"RETRY_SECONDS": retry_seconds, "LOCAL_FALLBACK": True},
        },
    }


def local_caches():
    """CACHES without Redis (the embedded default): process memory."""
    backend = "django.core.cache.backends.locmem.LocMemCache"
    return {
        "default": {"BACKEND": backend},
        "ratelimit": {"BACKEND": backend, "LOCATION": "ratelimit"},
    }
