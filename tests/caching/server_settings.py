"""Settings for the gunicorn the Varnish tests start: the test settings on this run's test
database (named directly: gunicorn is not pytest), with the application's own page cache off,
so that whatever is cached is cached by Varnish."""

import os

from portal.settings.test import *  # noqa: F403

DATABASES["default"]["NAME"] = os.environ["CACHING_TEST_DATABASE_NAME"]  # noqa: F405
PAGE_CACHE_APPLICATION = False
