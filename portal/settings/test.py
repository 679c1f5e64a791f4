"""Settings for the test suite.

Tests use the real services: PostgreSQL at DATABASE_URL (default: the local server on
127.0.0.1:5432) and Redis at REDIS_URL. On a machine without PostgreSQL the suite falls back to
SQLite and the tests that need a service are skipped, unless SPE_REQUIRE_SERVICES=1 (CI), which
turns every such skip into a failure. See tests/services.py.
"""

import psycopg

from .base import *  # noqa: F403
from .base import BASE_DIR, env
from .caching import redis_caches

DEBUG = False
SECRET_KEY = "test-only-key-not-secret"  # noqa: S105
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]

POSTGRES_URL = env("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/postgres")
REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379")
REQUIRE_SERVICES = env.bool("SPE_REQUIRE_SERVICES", default=False)
# Separate names let two test runs share one PostgreSQL and Redis without meeting.
TEST_DATABASE_NAME = env("SPE_TEST_DATABASE", default="spe_test")
TEST_REDIS_BROKER_DB = env.int("SPE_TEST_REDIS_BROKER_DB", default=14)
TEST_REDIS_CACHE_DB = env.int("SPE_TEST_REDIS_CACHE_DB", default=15)


def _postgres_reachable(url):
    if not url.startswith(("postgres://", "postgresql://")):
        return False
    try:
        psycopg.connect(url, connect_timeout=2).close()
    except psycopg.OperationalError:
        return False
    return True


POSTGRES_AVAILABLE = _postgres_reachable(POSTGRES_URL)
if POSTGRES_AVAILABLE or REQUIRE_SERVICES:
    DATABASES = {"default": env.db_url_config(POSTGRES_URL)}
    DATABASES["default"]["TEST"] = {"NAME": TEST_DATABASE_NAME}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(BASE_DIR / "var" / "test.sqlite3"),
            "TEST": {"NAME": str(BASE_DIR / "var" / "test.sqlite3")},
        }
    }

# Broker and cache are separate Redis databases, as in production; tests own 14 and 15.
CELERY_BROKER_URL = f"{REDIS_URL}/{TEST_REDIS_BROKER_DB}"
CELERY_TASK_ALWAYS_EAGER = False
# Outage tests stop a Redis of their own and wait for the cache to notice it is back.
CACHES = redis_caches(
    f"{REDIS_URL}/{TEST_REDIS_CACHE_DB}", key_prefix="spe-test", retry_seconds=0.5
)

EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = str(BASE_DIR / "var" / "test-media")
WHITENOISE_USE_FINDERS = True
PUBLIC_BASE_URL = WAGTAILADMIN_BASE_URL = "http://testserver"
# Tests choose their search backend explicitly (the contract suite runs every one).
ELASTICSEARCH_URL = ""
SEARCH_BACKEND = "database"

# The email provider whose webhook the tests post to (portal/webhooks.py mounts it only with a
# secret); sending still goes to the locmem backend above.
EMAIL_PROVIDER = "postmark"
ANYMAIL = {"WEBHOOK_SECRET": "test-webhook:not-secret"}

# The application's page cache (and the search results kept in it) outlives a test's
# rolled-back rows (purges run on commit), so it is off unless a test turns it on
# (tests/caching/); the headers saying what may be shared are always sent.
PAGE_CACHE_APPLICATION = env.bool("PAGE_CACHE_APPLICATION", default=False)
SEARCH_RESULTS_CACHE = env.bool("SEARCH_RESULTS_CACHE", default=False)
# The admin's tests sign staff in without a second factor (force_login, admin_client); the
# two-factor tests (tests/accounts) turn the requirement back on, as every other environment
# has it.
ACCOUNTS_ADMIN_REQUIRES_SECOND_FACTOR = False
# Security keys on the live test server's plain http://localhost.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True
