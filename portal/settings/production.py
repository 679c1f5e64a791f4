"""Production: everything comes from the environment, and a missing secret stops start-up.

environ raises ImproperlyConfigured("Set the X environment variable") for each required
variable read without a default below, so the process never starts half-configured.
"""

import re
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import EMAIL_PROVIDER, env
from .caching import redis_caches

DEBUG = False
SECRET_KEY = env("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("Set the ALLOWED_HOSTS environment variable")

# Every link in emails, feeds and calendars starts with it: a link people follow from an email
# must not travel in plain text, and a default (the development address) would be wrong.
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="").rstrip("/")
if not PUBLIC_BASE_URL:
    raise ImproperlyConfigured("Set the PUBLIC_BASE_URL environment variable")
if urlsplit(PUBLIC_BASE_URL).scheme != "https" or not urlsplit(PUBLIC_BASE_URL).hostname:
    raise ImproperlyConfigured(
        f"PUBLIC_BASE_URL must be an https:// address, not {PUBLIC_BASE_URL!r}"
    )
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL").rstrip("/") or PUBLIC_BASE_URL

DATABASES = {"default": env.db("DATABASE_URL")}
# https://docs.djangoproject.com/en/5.2/ref/databases/#persistent-connections
DATABASES["default"]["CONN_MAX_AGE"] = 60
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# The cache and the Celery broker are separate Redis servers (or at least databases): cache
# eviction must never drop a queued email. The broker's Redis runs with maxmemory-policy
# noeviction (docker-compose.yml).
CACHES = redis_caches(env("REDIS_URL"))
CELERY_BROKER_URL = env("CELERY_BROKER_URL")


def _redis_database(url):
    parsed = urlsplit(url)
    return (parsed.hostname, parsed.port or 6379, parsed.path.strip("/") or "0")


if _redis_database(CELERY_BROKER_URL) == _redis_database(env("REDIS_URL")):
    raise ImproperlyConfigured(
        "CELERY_BROKER_URL and REDIS_URL must differ: use separate Redis databases for the "
        "broker and the cache"
    )

# Email: SMTP by default (EMAIL_URL, e.g. smtp+tls://user:pass@host:587), or any
# django-anymail provider with EMAIL_PROVIDER=postmark|mailgun|amazon_ses|... and
# ANYMAIL_API_KEY. https://anymail.dev/en/stable/esps/
# The provider's tracking webhook (bounces and complaints suppress subscribers) answers only
# requests with ANYMAIL_WEBHOOK_SECRET as HTTP basic auth, and with the provider's signature
# where django-anymail checks one: https://anymail.dev/en/stable/tips/securing_webhooks/
# Anymail's setting for each provider's signing key; those marked True do not work without it.
WEBHOOK_SIGNING_KEYS = {
    "mailersend": ("SIGNING_SECRET", True),
    "mailgun": ("WEBHOOK_SIGNING_KEY", True),
    "mailtrap": ("TRACKING_SECRET", False),
    "mandrill": ("WEBHOOK_KEY", True),
    "postal": ("WEBHOOK_KEY", True),
    "resend": ("SIGNING_SECRET", False),
    "sendgrid": ("TRACKING_WEBHOOK_VERIFICATION_KEY", False),
}
if EMAIL_PROVIDER == "smtp":
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = f"anymail.backends.{EMAIL_PROVIDER}.EmailBackend"
    # Postmark calls its credential a server token; the other providers an API key.
    _credential = "SERVER_TOKEN" if EMAIL_PROVIDER == "postmark" else "API_KEY"
    ANYMAIL = {f"{EMAIL_PROVIDER.upper()}_{_credential}": env("ANYMAIL_API_KEY")}
    _webhook_secret = env("ANYMAIL_WEBHOOK_SECRET")
    if not re.fullmatch(r"[^:\s]+:\S{16,}", _webhook_secret):
        raise ImproperlyConfigured(
            "Set the ANYMAIL_WEBHOOK_SECRET environment variable to user:password (a password "
            "of 16 or more characters): the email provider's webhook must not be open to anyone"
        )
    ANYMAIL["WEBHOOK_SECRET"] = _webhook_secret
    _signing_setting, _signing_required = WEBHOOK_SIGNING_KEYS.get(EMAIL_PROVIDER, (None, False))
    _signing_key = env("ANYMAIL_WEBHOOK_SIGNING_KEY")
    if _signing_setting and _signing_key:
        ANYMAIL[f"{EMAIL_PROVIDER.upper()}_{_signing_setting}"] = _signing_key
    elif _signing_required:
        raise ImproperlyConfigured(
            f"Set the ANYMAIL_WEBHOOK_SIGNING_KEY environment variable: {EMAIL_PROVIDER} "
            "signs its webhooks, and django-anymail checks the signature with this key"
        )

# ELASTICSEARCH_URL is optional (base.py): without it search uses PostgreSQL, which serves a
# single-machine deployment; with it, Elasticsearch serves searches.

# https://docs.djangoproject.com/en/5.2/howto/deployment/checklist/
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Off only where a proxy in front already redirects to HTTPS and talks plain HTTP to gunicorn.
SECURE_SSL_REDIRECT = env("SECURE_SSL_REDIRECT")
SECURE_HSTS_SECONDS = env("SECURE_HSTS_SECONDS")
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
