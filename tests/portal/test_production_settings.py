"""Production settings start only when fully configured, and say what is missing otherwise.

Each case runs manage.py in a subprocess with a controlled environment: every variable the
settings read is removed from the inherited environment, then the case sets its own. The
subprocesses run in parallel, started once per module.
"""

import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from portal.settings.base import env as settings_env

REPO = Path(__file__).resolve().parents[2]

# Every variable portal/settings/production.py must refuse to start without.
REQUIRED = (
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "EMAIL_URL",
    "PUBLIC_BASE_URL",
)
VALID = {
    "SECRET_KEY": "k8Jq2vRz7WmX4tLp9NcB3hYf6DsG1aEo5uKi8TrQw2ZxVn7MbHj4LcPy0FdSg3Ae",
    "ALLOWED_HOSTS": "practice.example",
    "DATABASE_URL": "postgres://u:p@127.0.0.1:5432/x",
    "REDIS_URL": "redis://127.0.0.1:6379/1",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    "EMAIL_URL": "smtp://127.0.0.1:25",
    "ELASTICSEARCH_URL": "http://127.0.0.1:9200",
    "PUBLIC_BASE_URL": "https://practice.example",
}
WEBHOOK_SECRET = "postmark-hook:Xq3vT9mLw2RzK8pB"
POSTMARK = {
    **VALID,
    "EMAIL_PROVIDER": "postmark",
    "ANYMAIL_API_KEY": "postmark-server-token",
    "ANYMAIL_WEBHOOK_SECRET": WEBHOOK_SECRET,
}
MAILGUN = {
    **POSTMARK,
    "EMAIL_PROVIDER": "mailgun",
    "ANYMAIL_API_KEY": "mailgun-api-key",
    "ANYMAIL_WEBHOOK_SIGNING_KEY": "mailgun-signing-key",
}

PRODUCTION = "--settings=portal.settings.production"
CHECK = ("check", "--deploy", PRODUCTION)
PRINT_EMAIL_BACKEND = (
    "shell",
    PRODUCTION,
    "-c",
    "from django.conf import settings; print(settings.EMAIL_BACKEND)",
)
OPEN_EMAIL_CONNECTION = (
    "shell",
    PRODUCTION,
    "-c",
    "from django.core.mail import get_connection; print(type(get_connection()).__module__)",
)
PRINT_ANYMAIL = (
    "shell",
    PRODUCTION,
    "-c",
    "from django.conf import settings; print(sorted(settings.ANYMAIL.items()))",
)
PRINT_DATABASE_NAME = (
    "shell",
    "-c",
    "from django.conf import settings; print(settings.DATABASES['default']['NAME'])",
)
DEV_DATABASE = "/tmp/spe-dev-settings-test.sqlite3"  # noqa: S108 (never created: only read back)


def docker_build_environment():
    """The placeholders the Dockerfile gives `collectstatic` (production settings) at build."""
    dockerfile = (REPO / "Dockerfile").read_text(encoding="utf-8")
    run = dockerfile[: dockerfile.index("manage.py collectstatic")].rsplit("RUN ", 1)[1]
    return dict(re.findall(r"(\w+)=(\S+)", run))


def without(environment, name):
    return {key: value for key, value in environment.items() if key != name}


CASES = {
    "complete": (CHECK, VALID),
    **{f"without {name}": (CHECK, without(VALID, name)) for name in REQUIRED},
    "broker is the cache": (CHECK, {**VALID, "CELERY_BROKER_URL": VALID["REDIS_URL"]}),
    "broker is the cache, spelt differently": (
        CHECK,
        {
            **VALID,
            "REDIS_URL": "redis://127.0.0.1:6379",
            "CELERY_BROKER_URL": "redis://127.0.0.1/0",
        },
    ),
    "without elasticsearch": (CHECK, without(VALID, "ELASTICSEARCH_URL")),
    "plain http public base url": (CHECK, {**VALID, "PUBLIC_BASE_URL": "http://practice.example"}),
    "postmark": (PRINT_EMAIL_BACKEND, POSTMARK),
    "postmark connection": (OPEN_EMAIL_CONNECTION, POSTMARK),
    "postmark without key": (PRINT_EMAIL_BACKEND, without(POSTMARK, "ANYMAIL_API_KEY")),
    "postmark without webhook secret": (CHECK, without(POSTMARK, "ANYMAIL_WEBHOOK_SECRET")),
    "postmark with a guessable webhook secret": (
        CHECK,
        {**POSTMARK, "ANYMAIL_WEBHOOK_SECRET": "postmark:secret"},
    ),
    "postmark deploy checks": (CHECK, POSTMARK),
    "mailgun": (PRINT_ANYMAIL, MAILGUN),
    "mailgun without signing key": (CHECK, without(MAILGUN, "ANYMAIL_WEBHOOK_SIGNING_KEY")),
    "docker build": (
        ("collectstatic", "--dry-run", "--no-input", PRODUCTION),
        docker_build_environment(),
    ),
    "dev database": (
        PRINT_DATABASE_NAME,
        {
            "DJANGO_SETTINGS_MODULE": "portal.settings.dev",
            "DATABASE_URL": f"sqlite:///{DEV_DATABASE}",
        },
    ),
}


def error_of(result):
    """The last line of stderr: the exception that stopped start-up, not the traceback."""
    return result.stderr.strip().splitlines()[-1] if result.stderr.strip() else ""


def clean_environment():
    """The inherited environment minus everything the settings or Django read (other tests set
    DJANGO_ALLOW_ASYNC_UNSAFE in this process, which the deploy checks rightly refuse)."""
    controlled = {*settings_env.scheme, "SPE_REQUIRE_SERVICES"}
    return {
        key: value
        for key, value in os.environ.items()
        if key not in controlled and not key.startswith("DJANGO_")
    }


def manage(args, environment):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env={**clean_environment(), **environment},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def runs():
    with ThreadPoolExecutor(max_workers=(os.cpu_count() or 1) + 1) as pool:
        futures = {name: pool.submit(manage, *case) for name, case in CASES.items()}
        yield futures


def test_complete_configuration_passes_the_deploy_checks(runs):
    result = runs["complete"].result()
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize("name", REQUIRED)
def test_each_missing_variable_stops_start_up_and_is_named(runs, name):
    result = runs[f"without {name}"].result()
    assert result.returncode != 0
    assert "ImproperlyConfigured" in error_of(result)
    assert name in error_of(result)


@pytest.mark.parametrize("case", ["broker is the cache", "broker is the cache, spelt differently"])
def test_broker_and_cache_on_one_redis_database_are_refused(runs, case):
    result = runs[case].result()
    assert result.returncode != 0
    assert "CELERY_BROKER_URL and REDIS_URL must differ" in error_of(result)


def test_a_public_base_url_that_is_not_https_is_refused(runs):
    result = runs["plain http public base url"].result()
    assert result.returncode != 0
    assert "PUBLIC_BASE_URL must be an https:// address" in error_of(result)


def test_elasticsearch_is_optional_search_then_uses_the_database(runs):
    result = runs["without elasticsearch"].result()
    assert result.returncode == 0, result.stderr


def test_email_provider_selects_the_anymail_backend(runs):
    result = runs["postmark"].result()
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "anymail.backends.postmark.EmailBackend"


def test_email_provider_backend_opens_with_the_api_key(runs):
    result = runs["postmark connection"].result()
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "anymail.backends.postmark"


def test_email_provider_without_api_key_is_refused(runs):
    result = runs["postmark without key"].result()
    assert result.returncode != 0
    assert "ANYMAIL_API_KEY" in error_of(result)


def test_the_docker_build_gives_production_settings_all_they_need(runs):
    result = runs["docker build"].result()
    assert result.returncode == 0, result.stderr


def test_dev_settings_honour_database_url(runs):
    result = runs["dev database"].result()
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == DEV_DATABASE


@pytest.mark.parametrize(
    "case", ["postmark without webhook secret", "postmark with a guessable webhook secret"]
)
def test_email_provider_without_a_strong_webhook_secret_is_refused(runs, case):
    result = runs[case].result()
    assert result.returncode != 0
    assert "ImproperlyConfigured" in error_of(result)
    assert "ANYMAIL_WEBHOOK_SECRET" in error_of(result)


def test_email_provider_with_webhook_secret_passes_the_deploy_checks(runs):
    result = runs["postmark deploy checks"].result()
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_signing_provider_gets_its_signing_key_and_is_refused_without_it(runs):
    result = runs["mailgun"].result()
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == str(
        [
            ("MAILGUN_API_KEY", "mailgun-api-key"),
            ("MAILGUN_WEBHOOK_SIGNING_KEY", "mailgun-signing-key"),
            ("WEBHOOK_SECRET", WEBHOOK_SECRET),
        ]
    )
    refused = runs["mailgun without signing key"].result()
    assert refused.returncode != 0
    assert "ANYMAIL_WEBHOOK_SIGNING_KEY" in error_of(refused)
