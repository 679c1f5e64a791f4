"""Settings for the real Celery worker subprocesses of the exactly-once tests: the test
settings, with email sent over SMTP to the test's sink (NEWSLETTERS_TEST_SMTP_PORT) and the
database named directly (the worker is not pytest, so it does not add a test database)."""

import os

from portal.settings.test import *  # noqa: F403

DATABASES["default"]["NAME"] = os.environ["NEWSLETTERS_TEST_DATABASE_NAME"]  # noqa: F405
# Persistent connections with health checks, as production.py; named, so tests can find them.
DATABASES["default"]["CONN_MAX_AGE"] = 60  # noqa: F405
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405
DATABASES["default"].setdefault("OPTIONS", {})["application_name"] = "spe-test-worker"  # noqa: F405
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = "127.0.0.1"
EMAIL_PORT = int(os.environ["NEWSLETTERS_TEST_SMTP_PORT"])
EMAIL_USE_TLS = False
# Tests that stop the broker give the worker a private one.
CELERY_BROKER_URL = os.environ.get("NEWSLETTERS_TEST_BROKER_URL", CELERY_BROKER_URL)  # noqa: F405
