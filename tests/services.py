"""Skip or fail tests whose real service is missing.

On a developer's machine without PostgreSQL, Redis or Chromium the tests that need one are
skipped with the reason. CI sets SPE_REQUIRE_SERVICES=1, which turns each of those skips into a
failure, so a green CI run means the real services were exercised.
"""

import os
import shutil
import socket

import pytest
from django.conf import settings

CHROMIUM = "/usr/bin/chromium"


def services_required():
    return os.environ.get("SPE_REQUIRE_SERVICES", "") not in ("", "0", "false")


def service_missing(reason):
    if services_required():
        pytest.fail(f"{reason} (SPE_REQUIRE_SERVICES is set, so this is a failure)")
    pytest.skip(reason)


def require_postgres():
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        service_missing("PostgreSQL is not reachable at DATABASE_URL; tests run on SQLite")


def redis_reachable():
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


def require_redis():
    if not redis_reachable():
        service_missing("Redis is not reachable on 127.0.0.1:6379")


def require_chromium():
    if not shutil.which(CHROMIUM):
        service_missing(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
