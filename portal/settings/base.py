"""Settings shared by every environment. Production-safe by default: DEBUG is off.

Every environment variable the portal reads is declared once, typed, in the `env` call below.
Variables with no default here are required wherever they are read without one.
"""

from pathlib import Path

import environ
from celery.schedules import crontab

# Accounts: sign-up, email verification, single sign-on and two-factor (django-allauth).
from .accounts import *  # noqa: F403

# What the portal lets in and sends out: headers, lockout, rate limits, request sizes.
from .security import *  # noqa: F403

# Signing in with a force's provider posts a form that is answered with a redirect there.
CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"] += sso_origins(  # noqa: F405
    SOCIALACCOUNT_PROVIDERS  # noqa: F405
)

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env(
    DEBUG=(bool, False),
    SECRET_KEY=(str, environ.Env.NOTSET),
    ALLOWED_HOSTS=(list, []),
    CSRF_TRUSTED_ORIGINS=(list, []),
    DATABASE_URL=(str, environ.Env.NOTSET),
    REDIS_URL=(str, environ.Env.NOTSET),
    CELERY_BROKER_URL=(str, environ.Env.NOTSET),
    EMAIL_URL=(str, environ.Env.NOTSET),
    EMAIL_FILE_PATH=(str, str(BASE_DIR / "var" / "emails")),
    EMAIL_PROVIDER=(str, "smtp"),
    ANYMAIL_API_KEY=(str, environ.Env.NOTSET),
    ANYMAIL_WEBHOOK_SECRET=(str, ""),
    ANYMAIL_WEBHOOK_SIGNING_KEY=(str, ""),
    DEFAULT_FROM_EMAIL=(
        str,
        "Safeguarding Practice Exchange <no-reply@practice-exchange.example>",
    ),
    NCPI_TEAM_EMAIL=(str, "ncpi-team@practice-exchange.example"),
    ELASTICSEARCH_URL=(str, ""),
    PUBLIC_BASE_URL=(str, "http://127.0.0.1:8000"),
    NEWSLETTERS_UNSUBSCRIBE_ADDRESS=(str, ""),
    WAGTAILADMIN_BASE_URL=(str, ""),
    MEDIA_ROOT=(str, str(BASE_DIR / "var" / "media")),
    STATIC_ROOT=(str, str(BASE_DIR / "var" / "static")),
    SECURE_HSTS_SECONDS=(int, 60 * 60 * 24 * 365),
    SECURE_SSL_REDIRECT=(bool, True),
    TRUSTED_PROXY_COUNT=(int, 0),
    EMAIL_TIMEOUT=(int, 30),
    NEWSLETTERS_CLAIM_LEASE_SECONDS=(int, 300),
    NEWSLETTERS_RATE_PER_SECOND=(float, 50.0),
    NEWSLETTERS_RATE_BURST=(int, 50),
    NEWSLETTERS_SEND_LANES=(int, 8),
    NEWSLETTERS_ASYNCHRONOUS_MARKS=(bool, True),
    NEWSLETTERS_BOUNCE_ADDRESS=(str, ""),
    NEWSLETTERS_BOUNCE_MAILBOX_URL=(str, ""),
    NEWSLETTERS_SEND_DELAY=(float, 0.0),
    PAGE_CACHE_APPLICATION=(bool, True),
    PAGE_CACHE_SECONDS=(int, 600),
    PAGE_CACHE_COUNT_QUERIES=(bool, False),
    SEARCH_RESULTS_CACHE=(bool, True),
    VARNISH_PURGE_URL=(str, ""),
    OUTBOX_PUBLISH_SECONDS=(float, 15.0),
)

DEBUG = env("DEBUG")
ALLOWED_HOSTS = env("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env("CSRF_TRUSTED_ORIGINS")

# https://docs.djangoproject.com/en/5.2/ref/settings/#databases
# DATABASE_URL is honoured in every environment; without it, the embedded SQLite default.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    # Project apps first so their templates override Wagtail's where they share a name.
    "portal.apps.PortalConfig",
    "taxonomy.apps.TaxonomyConfig",
    "practice.apps.PracticeConfig",
    "events.apps.EventsConfig",
    "search.apps.SearchConfig",
    "newsletters.apps.NewslettersConfig",
    "inspections.apps.InspectionsConfig",
    "insight.apps.InsightConfig",
    "caching.apps.CachingConfig",
    "accounts.apps.AccountsConfig",
    "feedback.apps.FeedbackConfig",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    # Serves the API docs' Swagger UI from our own static files, as the CSP requires.
    "ninja",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # allauth's security-key list says when each key was last used.
    "django.contrib.humanize",
    # Search (search/): PostgreSQL full-text and trigram lookups; inert on SQLite.
    "django.contrib.postgres",
    # Sign-in lockout (AXES_* below).
    "axes",
    # Accounts (settings/accounts.py); accounts/ comes first above so its templates win.
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.mfa",
]

# Order matters: headers for every response (static files included) come before WhiteNoise,
# which answers static files itself; the body cap needs the user and must come before the CSRF
# check reads the body (in process_view, after every middleware here has seen the request);
# django-axes turns a flagged sign-in into the lockout page, last. The page cache answers hits
# before anything reads a session, and judges a miss after every cookie has been set; the
# public forms on shared pages are checked by origin instead of a token (caching/csrf.py), just
# before Django's CSRF middleware checks the token of every other form.
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "portal.middleware.retry_after.RetryAfterMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "caching.middleware.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "caching.csrf.PublicFormCsrfMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "portal.middleware.admin_sessions.AdminIdleTimeoutMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # The NCPI team reaches the admin only with a second factor (accounts/middleware.py).
    "accounts.middleware.AdminTwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "portal.middleware.content_security.PolicyByPathMiddleware",
    "portal.middleware.request_size.RequestBodyLimitMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "axes.middleware.AxesMiddleware",
]

# Page caching (caching/): anonymous answers to public pages are shared, by the application's
# own cache (Django's cache) and by any proxy in front, for PAGE_CACHE_SECONDS or until a
# change purges them. VARNISH_PURGE_URL: the Varnish (deploy/varnish/default.vcl) to send
# HTTP PURGE requests to, e.g. http://varnish:6081; a CDN's backend can be added to
# WAGTAILFRONTENDCACHE the same way.
# https://docs.wagtail.org/en/stable/reference/contrib/frontendcache.html
PAGE_CACHE_APPLICATION = env("PAGE_CACHE_APPLICATION")
PAGE_CACHE_SECONDS = env("PAGE_CACHE_SECONDS")
PAGE_CACHE_ALIAS = "default"
WAGTAILFRONTENDCACHE = {"application": {"BACKEND": "caching.backends.ApplicationCacheBackend"}}
if env("VARNISH_PURGE_URL"):
    WAGTAILFRONTENDCACHE["varnish"] = {
        "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
        "LOCATION": env("VARNISH_PURGE_URL"),
    }
# Benchmarks and tests: an X-DB-Queries header on every answer (caching/middleware.py).
if env("PAGE_CACHE_COUNT_QUERIES"):
    MIDDLEWARE.insert(0, "caching.middleware.QueryCountMiddleware")

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
            ],
        },
    },
]

# django-axes' backend comes first: it refuses a locked-out account or address before any
# backend checks a password, whichever backend (and sign-in page) is used.
# https://django-axes.readthedocs.io/en/latest/2_installation.html
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Signing in by email address (settings/accounts.py).
    "allauth.account.auth_backends.AuthenticationBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
# Events are held in England and Wales: dates are shown in UK time, stored in UTC.
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env("STATIC_ROOT")
MEDIA_URL = "/media/"
MEDIA_ROOT = env("MEDIA_ROOT")
# https://whitenoise.readthedocs.io/en/stable/django.html#add-compression-and-caching-support
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# The address the public reaches the portal at: every absolute link the portal sends out
# (emails, feeds, the sitemap, calendars, the API) starts with it (portal/links.py).
# Production refuses anything but https.
PUBLIC_BASE_URL = env("PUBLIC_BASE_URL").rstrip("/")

# Wagtail
WAGTAIL_SITE_NAME = "Safeguarding Practice Exchange"
# https://docs.wagtail.org/en/stable/reference/settings.html#wagtailadmin-base-url
# The admin's own links in its emails: the public base URL unless the admin lives elsewhere.
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL").rstrip("/") or PUBLIC_BASE_URL
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
# Documents are always served through Wagtail's view, never as a file URL, so that the
# before_serve_document hook (portal/wagtail_hooks.py) can refuse one whose pages the person
# may not see. https://docs.wagtail.org/en/stable/reference/settings.html#wagtaildocs-serve-method
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "doc", "odt", "pptx", "xlsx", "csv", "txt"]
# Upload sizes, with the limits on request bodies: security.py.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000


# Email. Anything sent to people goes through Celery; these say how it leaves the machine.
# Seconds an SMTP operation may block: a mail server that hangs must not hold a sending
# thread past its lease (the mailer's thread pool cannot enforce task time limits).
EMAIL_TIMEOUT = env("EMAIL_TIMEOUT")
# "smtp", or the django-anymail provider production sends through (production.py), whose
# tracking webhook alone is mounted (portal/webhooks.py).
EMAIL_PROVIDER = env("EMAIL_PROVIDER")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
NCPI_TEAM_EMAIL = env("NCPI_TEAM_EMAIL")

# Celery: https://docs.celeryq.dev/en/stable/django/first-steps-with-django.html
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# A task that runs longer than this is killed: nothing in the portal should take that long
# without splitting itself into batches.
CELERY_TASK_TIME_LIMIT = 10 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 9 * 60
# Acknowledge after the task ran, so a killed worker's task is delivered again; every task is
# written to be safe to run twice. The visibility timeout must exceed the longest task.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 60 * 60}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Celery's Django fixup closes every database connection before and after every task unless
# this is set, and then only once in this many tasks: a new PostgreSQL connection per email
# cost the worker and the database more than sending it. portal/celery.py applies
# CONN_MAX_AGE and CONN_HEALTH_CHECKS around each task instead, as Django does around a request.
CELERY_DB_REUSE_MAX = 1000
# Sending newsletters waits on the mail server and the database far more than it computes, so
# its chunk tasks have a queue of their own ("mail"), served by a worker with a pool of threads
# (docker-compose's mailer: -Q mail --pool=threads), which overlaps those waits in one process.
# The default worker serves the default queue ("celery"). A chunk bounds its own time (half its
# lease, and EMAIL_TIMEOUT per SMTP operation), since a thread pool ignores time limits.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_ROUTES = {"newsletters.tasks.send_chunk": {"queue": "mail"}}


# The visitor's address (portal/client_address.py): REMOTE_ADDR when the portal is reached
# directly (0), else the X-Forwarded-For entry written by the outermost of this many trusted
# reverse proxies. Never more than there really are: a visitor could then pick their address.
TRUSTED_PROXY_COUNT = env("TRUSTED_PROXY_COUNT")


# https://docs.djangoproject.com/en/5.2/topics/logging/#configuring-logging
# Every line goes through one handler whose filter replaces signed tokens (the keys in email
# links), email addresses and search words with markers (portal/logs.py). gunicorn's and
# Celery's own handlers get the same filter (portal/gunicorn_conf.py, portal/celery.py).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "portal.logs.RedactingFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact"]}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        # Django's default handlers (its console when DEBUG is on, runserver's django.server,
        # mail_admins) would write request paths unfiltered: with none of their own, these
        # loggers' lines reach the root's handler above.
        "django": {"handlers": [], "level": "INFO"},
        "django.server": {"handlers": [], "level": "INFO", "propagate": True},
        "django.request": {"level": "WARNING"},
        # Wagtail logs every page action and background task at INFO: too much for imports.
        "wagtail": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
        # django-axes announces itself at INFO on every start; its lockout warnings stay.
        "axes": {"level": "WARNING"},
    },
}

# Inspections (inspections/): the recommendations register and the inspection calendar.
# Warn the NCPI team when two programmes plan activity at one force within this many weeks.
INSPECTIONS_ACTIVITY_WARNING_WEEKS = 8
# An open or in-progress recommendation is flagged as long open this many days after its
# report was published.
INSPECTIONS_LONG_OPEN_DAYS = 365

# Search (search/). Which backend serves search.service.search: "database" (PostgreSQL
# full-text search, or a simple equivalent on SQLite) or, when ELASTICSEARCH_URL is set,
# "elasticsearch". Every backend passes tests/search/test_contract.py; the database index is
# always kept up to date as well, since suggestions, "did you mean" and related practice read it.
# With Elasticsearch, run `manage.py search_index rebuild` once to load it.
ELASTICSEARCH_URL = env("ELASTICSEARCH_URL")
SEARCH_BACKEND = "elasticsearch" if ELASTICSEARCH_URL else "database"
SEARCH_RESULTS_PER_PAGE = 20
# Anonymous search pages are kept in the page cache (search/results_cache.py) and still logged;
# with or without a proxy in front, since search is never shared with one.
SEARCH_RESULTS_CACHE = env("SEARCH_RESULTS_CACHE")
# Search log entries (the words, with personal data taken out, and the result count) are kept
# one by one for this many days; beat then folds older days into daily totals per query
# (search.analytics.roll_up), which the admin's search report and insight read as well.
SEARCH_LOG_KEEP_DAYS = 90
CELERY_BEAT_SCHEDULE = {
    **globals().get("CELERY_BEAT_SCHEDULE", {}),
    "search-roll-up-log": {
        "task": "search.tasks.roll_up_search_log",
        "schedule": crontab(minute=30, hour=2),
    },
    "search-forget-page-view-visits": {
        "task": "search.tasks.forget_page_view_visits",
        "schedule": 60 * 60,
    },
}

# Events (events/): registration, waitlist, reminders.
# Addresses at these domains (and their subdomains) count as police for events limited to
# police; each force's own domains are added from its Organisation.email_domains.
EVENTS_POLICE_EMAIL_DOMAINS = ["police.uk", "pnn.police.uk"]
# Reminders to confirmed registrants, this many hours before the event starts.
EVENTS_REMINDER_HOURS = [48, 2]
# django-ratelimit rate for registrations from one IP address (an office may book a team).
EVENTS_REGISTRATION_RATE = "30/h"
# Anyone can type any address into the registration form: the emails that causes (the outcome,
# "confirm your address", "someone tried to register again") go to one address at most once per
# this many seconds; outcomes wait for their turn, notices are dropped (events/cooldown.py).
EVENTS_EMAIL_COOLDOWN_SECONDS = 15 * 60
# Police-only events: a registration waits this long for its address to be confirmed by the
# emailed link, holding no seat, and is then deleted.
EVENTS_EMAIL_CONFIRMATION_HOURS = 48
# Registrations are anonymised this many days after their event ends (events.privacy): names,
# email addresses, answers and feedback comments go; counts by force, role and attendance stay.
EVENTS_ANONYMISE_AFTER_DAYS = 365
# https://docs.celeryq.dev/en/stable/userguide/periodic-tasks.html
# Merged with any schedule defined above, so each app keeps its own entries.
CELERY_BEAT_SCHEDULE = {
    **globals().get("CELERY_BEAT_SCHEDULE", {}),
    "events-send-due-reminders": {
        "task": "events.tasks.send_due_reminders",
        "schedule": 5 * 60,
    },
    "events-expire-offers": {"task": "events.tasks.expire_offers", "schedule": 5 * 60},
    "events-resend-stranded-emails": {
        "task": "events.tasks.resend_stranded_emails",
        "schedule": 5 * 60,
    },
    "events-send-deferred-emails": {"task": "events.tasks.send_deferred_emails", "schedule": 60},
    "events-expire-unconfirmed": {"task": "events.tasks.expire_unconfirmed", "schedule": 15 * 60},
    "events-anonymise-past-registrations": {
        "task": "events.tasks.anonymise_past_registrations",
        "schedule": crontab(minute=15, hour=3),
    },
}

# Newsletters (newsletters/): subscriptions, issues, alerts, digests, exactly-once sending.
# Double opt-in links and unconfirmed sign-ups expire after this many seconds (7 days).
NEWSLETTERS_CONFIRM_MAX_AGE = 7 * 24 * 60 * 60
# Addresses unsubscribed from everything are erased after this many days.
NEWSLETTERS_ERASE_AFTER_DAYS = 28
# Links to manage preferences, download or erase data work for this many seconds (30 days),
# so a forwarded email does not open someone's data for ever; an expired link offers to email
# a new one. Unsubscribe links never expire: all they can do is stop mail.
NEWSLETTERS_MANAGE_MAX_AGE = 30 * 24 * 60 * 60
# Anyone can type any address into the sign-up form: a confirmation (or a new manage link) goes
# to one address at most once per this many seconds, however many requests arrive.
NEWSLETTERS_EMAIL_COOLDOWN_SECONDS = 15 * 60
# A chunk that sees this many recipients in a row refused permanently, with no message
# accepted in between, takes it for a mail relay refusing everyone (a misconfiguration), not
# for that many dead addresses: it pauses the mailing, suppresses nobody and alerts the team.
NEWSLETTERS_RELAY_FAILURE_THRESHOLD = 10
# A chunk task's claim on its delivery rows lasts this long; rows a killed worker held are
# claimed again after it. Must exceed send_chunk's time limit (240 s).
NEWSLETTERS_CLAIM_LEASE_SECONDS = env("NEWSLETTERS_CLAIM_LEASE_SECONDS")
# Global sending rate across all workers (a token bucket in the cache's Redis): keep it under
# the email provider's limit. 0 turns the limit off.
NEWSLETTERS_RATE_PER_SECOND = env("NEWSLETTERS_RATE_PER_SECOND")
NEWSLETTERS_RATE_BURST = env("NEWSLETTERS_RATE_BURST")
# Chunk tasks working on one mailing at once (each over its own SMTP connection): as many as
# the mailer has threads (docker-compose.yml), so every thread has a chunk to send.
NEWSLETTERS_SEND_LANES = env("NEWSLETTERS_SEND_LANES")
# Mark delivery rows sent without waiting for PostgreSQL to flush each commit to disk
# (synchronous_commit off, for those statements only). A killed worker loses nothing by it:
# the server has the commit. Only a crash of PostgreSQL itself can lose the last fraction of a
# second of marks, and those few messages would go again. Off: one disk flush per message.
NEWSLETTERS_ASYNCHRONOUS_MARKS = env("NEWSLETTERS_ASYNCHRONOUS_MARKS")
# Bounces over plain SMTP (providers' webhooks arrive through django-anymail instead): list
# mail is sent with this envelope sender, and beat reads the mailbox it delivers to, e.g.
# imaps://bounces%40example.org:password@imap.example.org:993/INBOX (newsletters/bounces.py).
NEWSLETTERS_BOUNCE_ADDRESS = env("NEWSLETTERS_BOUNCE_ADDRESS")
NEWSLETTERS_BOUNCE_MAILBOX_URL = env("NEWSLETTERS_BOUNCE_MAILBOX_URL")
# RFC 2369's mailto: unsubscribe, beside the https one: an address that delivers to the bounce
# mailbox above (e.g. a plus address of it), where beat reads "Unsubscribe <token>" requests.
# Empty: emails offer only the https link (every client that supports RFC 8058 uses that).
NEWSLETTERS_UNSUBSCRIBE_ADDRESS = env("NEWSLETTERS_UNSUBSCRIBE_ADDRESS")
# Tests only: seconds to wait before each message, so a worker can be killed mid-chunk.
NEWSLETTERS_SEND_DELAY = env("NEWSLETTERS_SEND_DELAY")
# https://docs.celeryq.dev/en/stable/userguide/periodic-tasks.html#crontab-schedules
CELERY_BEAT_SCHEDULE = {
    **globals().get("CELERY_BEAT_SCHEDULE", {}),
    "newsletters-read-bounce-mailbox": {
        "task": "newsletters.tasks.read_bounce_mailbox",
        "schedule": 5 * 60,
    },
    "newsletters-requeue-stranded": {
        "task": "newsletters.tasks.requeue_stranded",
        "schedule": 60,
    },
    "newsletters-send-scheduled-issues": {
        "task": "newsletters.tasks.send_scheduled_issues",
        "schedule": 60,
    },
    "newsletters-expire-unconfirmed": {
        "task": "newsletters.tasks.expire_unconfirmed",
        "schedule": 60 * 60,
    },
    "newsletters-erase-unsubscribed": {
        "task": "newsletters.tasks.erase_unsubscribed",
        "schedule": 24 * 60 * 60,
    },
    "newsletters-weekly-digest": {
        "task": "newsletters.tasks.send_digests",
        "schedule": crontab(minute=0, hour=7, day_of_week="mon"),
        "args": ["weekly"],
    },
    "newsletters-monthly-digest": {
        "task": "newsletters.tasks.send_digests",
        "schedule": crontab(minute=0, hour=7, day_of_month="1"),
        "args": ["monthly"],
    },
}

# Contact messages to a practice's originator are deleted this many days after they were
# relayed by email (practice.tasks.delete_old_contact_messages): the email is the record.
PRACTICE_CONTACT_MESSAGES_KEEP_DAYS = 30
CELERY_BEAT_SCHEDULE = {
    **globals().get("CELERY_BEAT_SCHEDULE", {}),
    "practice-delete-old-contact-messages": {
        "task": "practice.tasks.delete_old_contact_messages",
        "schedule": crontab(minute=45, hour=3),
    },
}

# Insight (insight/): the NCPI team's dashboard reads daily figures recounted hourly from the
# raw tables over this many recent days; `manage.py rebuild_insight` recounts any range.
INSIGHT_REFRESH_DAYS = 14
CELERY_BEAT_SCHEDULE = {
    **globals().get("CELERY_BEAT_SCHEDULE", {}),
    "insight-refresh": {
        "task": "insight.tasks.refresh_insight",
        "schedule": crontab(minute=20),
    },
}

# The outbox (portal/outbox.py): emails are recorded with the change that causes them and
# published after the commit; beat publishes, this often, any the broker did not take (it was
# down), and any a process left unpublished for OUTBOX_RETRY_AFTER_SECONDS (it died).
OUTBOX_PUBLISH_SECONDS = env("OUTBOX_PUBLISH_SECONDS")
OUTBOX_RETRY_AFTER_SECONDS = 60
# Feedback (feedback/) is deleted this many days after it was emailed to the NCPI team, as
# contact messages are: the email is the record.
FEEDBACK_MESSAGES_KEEP_DAYS = 30
CELERY_BEAT_SCHEDULE = {
    **globals().get("CELERY_BEAT_SCHEDULE", {}),
    "feedback-delete-old": {
        "task": "feedback.tasks.delete_old_feedback",
        "schedule": crontab(minute=50, hour=3),
    },
}

# Expired sessions are deleted daily (portal.tasks): Django never removes them itself.
CELERY_BEAT_SCHEDULE = {
    **globals().get("CELERY_BEAT_SCHEDULE", {}),
    "portal-publish-outbox": {
        "task": "portal.tasks.publish_outbox",
        "schedule": OUTBOX_PUBLISH_SECONDS,
    },
    "portal-forget-published-outbox": {
        "task": "portal.tasks.forget_published_outbox",
        "schedule": 60 * 60,
    },
    "portal-clear-expired-sessions": {
        "task": "portal.tasks.clear_expired_sessions",
        "schedule": crontab(minute=0, hour=4),
    },
}

# Everyone signs in on the public site's sign-in page (allauth's, accounts/): the admin's and
# Wagtail's private-page sign-in pages send people there (portal/urls.py), so that a password
# alone never opens the admin.
# https://docs.djangoproject.com/en/5.2/ref/settings/#login-url
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:home"
WAGTAIL_FRONTEND_LOGIN_URL = "/account/login/"
