"""Search backends by name. The configured one (settings.SEARCH_BACKEND) serves searches."""

from django.conf import settings
from django.utils.module_loading import import_string

# name -> (class path, keyword arguments). "database-portable" is the SQLite implementation of
# the database backend, named so that the contract tests run it on PostgreSQL too.
BACKENDS = {
    "database": ("search.backends.database.DatabaseBackend", {}),
    "database-portable": ("search.backends.database.DatabaseBackend", {"portable": True}),
    # Reads ELASTICSEARCH_URL; the index lifecycle is manage.py search_index.
    "elasticsearch": ("search.backends.elasticsearch.ElasticsearchBackend", {}),
}
# Backends whose stored documents are the same tables: indexing one indexes the others.
SHARED_STORAGE = {"database-portable": "database"}


def get_backend(name=None):
    name = name or settings.SEARCH_BACKEND
    if name not in BACKENDS:
        raise ValueError(f"Unknown search backend {name!r}; known: {', '.join(BACKENDS)}")
    path, kwargs = BACKENDS[name]
    backend = import_string(path)(**kwargs)
    backend.name = name
    return backend


def index_backends():
    """Every backend that must receive index updates: the configured one and the database
    (which also serves suggestions, corrections and related practice)."""
    names = {SHARED_STORAGE.get(settings.SEARCH_BACKEND, settings.SEARCH_BACKEND), "database"}
    return [get_backend(name) for name in sorted(names)]
