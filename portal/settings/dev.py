"""The embedded default: what `make run` serves on a fresh machine with nothing else running.

SQLite, Celery tasks run inline, emails written to var/emails, database search. Any service URL
set in the environment (DATABASE_URL, REDIS_URL, CELERY_BROKER_URL, EMAIL_URL) is used instead.
"""

from .base import *  # noqa: F403
from .base import env
from .caching import local_caches, redis_caches

DEBUG = env.bool("DEBUG", default=True)
# A fixed key for local development only; production.py has no default and refuses to start.
SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-never-use-in-production")  # noqa: S105
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])

# Tasks run inline unless a broker is configured, so the demo needs no Redis.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="memory://")
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL == "memory://"
CELERY_TASK_EAGER_PROPAGATES = True

# https://docs.djangoproject.com/en/5.2/topics/email/#file-backend
if env("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = env("EMAIL_FILE_PATH")

CACHES = redis_caches(env("REDIS_URL")) if env("REDIS_URL", default="") else local_caches()
if not env("REDIS_URL", default=""):
    # Emails go to files, one at a time: there is no provider's rate to share between senders.
    NEWSLETTERS_RATE_PER_SECOND = env.float("NEWSLETTERS_RATE_PER_SECOND", default=0)

# Whitenoise serves files as they are, without the manifest, so no collectstatic is needed.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
