"""Settings for the real gunicorn of tests/portal/test_gunicorn_workers.py: the worker tests'
settings (the test database named directly), with a URL that reports on the worker itself."""

from tests.newsletters.worker_settings import *  # noqa: F403

ROOT_URLCONF = "tests.portal.gunicorn_urls"
