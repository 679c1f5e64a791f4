"""Settings for benchmarks/email_fanout.py and the Celery worker it starts: dev settings,
production services.

The benchmark sets DATABASE_URL (its scratch PostgreSQL database), CELERY_BROKER_URL (a Redis
database of its own), REDIS_URL (the cache, which holds the send-rate token bucket), EMAIL_URL
(smtp:// to its sink) and NEWSLETTERS_RATE_PER_SECOND in the environment, and portal.settings
reads them all, so the worker sends as production does. Only what the benchmark must change
is changed here.
"""

from portal.settings.dev import *  # noqa: F403
from portal.settings.dev import CELERY_BROKER_URL, DATABASES, EMAIL_BACKEND

DEBUG = False

# A real worker on a real broker: eager tasks would run inside the benchmark's own process.
CELERY_TASK_ALWAYS_EAGER = False
if CELERY_BROKER_URL.startswith("memory://") or not EMAIL_BACKEND.endswith("smtp.EmailBackend"):
    raise RuntimeError("Run benchmarks/email_fanout.py: it sets CELERY_BROKER_URL and EMAIL_URL")

# As production.py: without persistent connections every task would also pay for a new
# PostgreSQL connection, which production does not.
DATABASES["default"]["CONN_MAX_AGE"] = 60
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# Warnings and errors only: a log line per task would be measured with the sending.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
