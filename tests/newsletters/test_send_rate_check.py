"""A send rate that cannot be shared between senders stops the site from starting, instead of
being silently ignored (every sender would then send as fast as it could)."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from newsletters import throttle
from newsletters.checks import check_send_rate

LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


def test_a_rate_without_a_redis_cache_is_an_error(settings):
    settings.CACHES = LOCMEM
    settings.NEWSLETTERS_RATE_PER_SECOND = 50

    [error] = check_send_rate(None)

    assert error.id == "newsletters.E001"
    assert "NEWSLETTERS_RATE_PER_SECOND is 50" in error.msg


def test_sending_refuses_to_ignore_the_rate(settings, monkeypatch):
    settings.CACHES = LOCMEM
    settings.NEWSLETTERS_RATE_PER_SECOND = 50
    monkeypatch.setattr(throttle, "_script", None)

    with pytest.raises(ImproperlyConfigured, match="default cache is not"):
        throttle.take()


@pytest.mark.parametrize(("rate", "caches"), [(0, LOCMEM), (50, None)])
def test_no_rate_or_a_redis_cache_is_fine(settings, rate, caches):
    if caches:
        settings.CACHES = caches
    settings.NEWSLETTERS_RATE_PER_SECOND = rate

    assert check_send_rate(None) == []
