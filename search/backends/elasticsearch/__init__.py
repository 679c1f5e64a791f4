"""The Elasticsearch backend, for deployments too large for PostgreSQL's ranking to keep up.

Searches go to an alias (settings.ELASTICSEARCH_ALIAS, "spe-practice" by default) that points at
one timestamped index; `manage.py search_index rebuild` loads a new index and swaps the alias
atomically, so searches never see a half-built index (rebuild.py). The mapping is in
search/es_documents.py; creating the index and the live index updates are in indexing.py.

Queries are built from the parsed clauses (search.query), never from the raw text, so no input
can reach Elasticsearch's query syntax (query.py). BM25 gives the inverse document frequency
the database backend has to compute itself. One request answers a page of hits with their
highlights and every facet's counts (searching.py); suggestions and related practice are in
suggestions.py, typo corrections in corrections.py. The client and the aliases are in
client.py. Imports point one way: this module imports the job modules; they import client.py,
hits.py and query.py (and rebuild.py indexing.py), never this module or each other back.
"""

from elasticsearch import ConnectionError as ElasticsearchConnectionError
from elasticsearch import ConnectionTimeout

from ..base import SearchBackend
from . import corrections, indexing, rebuild, searching, suggestions
from .client import DEFAULT_ALIAS, alias, building_alias, get_client

# Importable from here, as before the backend was a package.
__all__ = ["DEFAULT_ALIAS", "ElasticsearchBackend", "alias", "building_alias", "get_client"]


class ElasticsearchBackend(SearchBackend):
    # Unreachable or timing out: searches are answered from the database meanwhile.
    unavailable_errors = (ElasticsearchConnectionError, ConnectionTimeout)

    def __init__(self, client=None):
        self._client = client

    @property
    def client(self):
        if self._client is None:
            self._client = get_client()
        return self._client

    # Index lifecycle

    def new_index_name(self):
        return indexing.new_index_name()

    def create_index(self, name=None, aliases=()):
        return indexing.create_index(self.client, name, aliases)

    def aliased(self):
        """{index name: set of its aliases} for this site's indices (named after the alias)."""
        return indexing.index_aliases(self.client)

    def indices_of(self, name, aliased=None):
        return indexing.indices_of(self.client, name, aliased)

    def ensure_index(self):
        """Create an index behind the alias unless there is one. Returns (index, created)."""
        return indexing.ensure_index(self.client)

    def rebuild(self, page_ids, build, out=None):
        """New index, bulk load, atomic alias swap, old index deleted (rebuild.py)."""
        return rebuild.rebuild(self.client, page_ids, build, out=out)

    # Indexing

    def upsert(self, documents):
        indexing.upsert(self.client, documents)

    def delete(self, page_ids):
        indexing.delete(self.client, page_ids)

    def clear(self):
        indexing.clear(self.client)

    # Searching

    def search(self, request):
        return searching.search(self.client, request)

    def suggest(self, prefix, restrictions, limit):
        return suggestions.suggest(self.client, prefix, restrictions, limit)

    def related(self, page_id, restrictions, limit):
        return suggestions.related(self.client, page_id, restrictions, limit)

    def corrections(self, words, restrictions):
        return corrections.corrections(self.client, words, restrictions)
