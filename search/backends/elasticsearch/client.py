"""Which Elasticsearch the backend talks to: the client (one per URL and options) and the
aliases that searches and a rebuild's loading index go through."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from elasticsearch import Elasticsearch

DEFAULT_ALIAS = "spe-practice"

_clients = {}


def alias():
    return getattr(settings, "ELASTICSEARCH_ALIAS", DEFAULT_ALIAS)


def building_alias():
    """Points at an index while a rebuild loads it, so live index updates reach it too."""
    return alias() + "-building"


def get_client():
    """One client per URL and options, reused across requests for its connection pool.
    settings.ELASTICSEARCH_CLIENT_OPTIONS are passed to the client (tests use it to talk to a
    test server); production uses the plain client."""
    url = settings.ELASTICSEARCH_URL
    if not url:
        raise ImproperlyConfigured("Set ELASTICSEARCH_URL to use the elasticsearch backend")
    options = getattr(settings, "ELASTICSEARCH_CLIENT_OPTIONS", {})
    key = (url, tuple(sorted((k, repr(v)) for k, v in options.items())))
    if key not in _clients:
        _clients[key] = Elasticsearch(url, **{"request_timeout": 10, **options})
    return _clients[key]
