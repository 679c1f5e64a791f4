"""Settings for the server benchmarks/registration.py starts: dev settings, production services.

DATABASE_URL, REDIS_URL and CELERY_BROKER_URL come from the environment the benchmark sets
(portal.settings.dev already reads them), so the server runs on PostgreSQL with a Redis cache
and a Redis broker, as in production. Only what the benchmark must change is changed here.
"""

from portal.settings.dev import *  # noqa: F403
from portal.settings.dev import DATABASES

DEBUG = False

# As production.py: without persistent connections every request would also pay for a new
# PostgreSQL connection, which production does not.
DATABASES["default"]["CONN_MAX_AGE"] = 60
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# Every benchmark client posts from 127.0.0.1, so the per-IP limit (30/h in base.py) would
# refuse all but the first 30 registrations. Raised far above what a run can reach, the limit
# is still checked and counted in Redis on every POST, so its cost stays in the measurement.
EVENTS_REGISTRATION_RATE = "1000000/h"

# Warnings and errors only: a log line per request would cost as much as the requests.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
