"""Settings for the servers benchmarks/load.py starts (gunicorn and the Celery worker): the
registration benchmark's (dev settings, production's services and persistent connections, the
per-IP registration limit raised), with the page cache's query counter on, emails delivered
nowhere, and the visitor's address taken from X-Forwarded-For (each simulated visitor has its
own, as real visitors behind a proxy do), so per-address limits apply per visitor."""

from registration_settings import *  # noqa: F403
from registration_settings import env

EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
PUBLIC_BASE_URL = "http://127.0.0.1"
# load.py: 1 when clients reach gunicorn directly, 2 through Varnish (which appends its own).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=1)

MIDDLEWARE = ["load_timing.ServerTimingMiddleware", *MIDDLEWARE]  # noqa: F405
