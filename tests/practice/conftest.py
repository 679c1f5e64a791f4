"""Fixtures the practice tests share with other folders: subscribers and inline Celery (for
alerts), and a police user."""

from tests.newsletters.conftest import clean_cache, eager_celery, make_subscriber  # noqa: F401
from tests.search.conftest import police_user  # noqa: F401
