"""The database backend: PostgreSQL full-text search, or a simple equivalent on SQLite.

On PostgreSQL each document has a weighted tsvector (title A, summary and tags B, body C) with
a GIN index (indexing.py). Clauses are ORed for recall and ranked BM25-style (ranking.py, the
one definition of the score for every path). Document frequencies come from SearchLexeme, kept
in step on upsert and delete, not from counting matches (statistics.py). What a search reads
is bounded, whatever the size of the index (postgres/). Typo correction uses pg_trgm on the
vocabulary (search.vocabulary); suggestions and related practice are in suggestions.py.

The portable mode (SQLite, the embedded default; portable.py) keeps the same tables and facets
and matches words with LIKE, then scores the candidates in Python with the same ranking. It is
meant for the demo's few hundred pages, not for a production corpus.
"""

from django.db import connection

from ... import vocabulary
from ..base import SearchBackend
from . import indexing, suggestions
from .portable import search as search_portable
from .postgres import search as search_postgres
from .postgres.matching import Matching as _Matching
from .ranking import idf
from .rebuild import rebuild as rebuild_aside
from .statistics import CORPUS_STATISTICS_KEY, forget_corpus_statistics

# Importable from here, as before the backend was a package.
__all__ = [
    "CORPUS_STATISTICS_KEY",
    "DatabaseBackend",
    "_Matching",
    "forget_corpus_statistics",
    "idf",
]


class DatabaseBackend(SearchBackend):
    def __init__(self, portable=False):
        self.portable = portable

    @property
    def postgres(self):
        return connection.vendor == "postgresql"

    @property
    def full_text(self):
        return self.postgres and not self.portable

    def upsert(self, documents):
        indexing.upsert(documents, postgres=self.postgres)

    def delete(self, page_ids):
        indexing.delete(page_ids, postgres=self.postgres)

    def clear(self):
        indexing.clear()

    def rebuild(self, page_ids, build, out=None):
        """Index exactly these pages, built aside and swapped in (rebuild.py)."""
        loaded, removed = rebuild_aside(page_ids, build, postgres=self.postgres, out=out)
        if out:
            out(
                f"Loaded {loaded} document(s) into the database index; removed {removed} other(s)."
            )
        return loaded

    def refresh_statistics(self):
        """Recount the document frequencies after a bulk load (indexing.refresh_statistics)."""
        indexing.refresh_statistics(postgres=self.postgres)

    def search(self, request):
        if self.full_text:
            return search_postgres(request)
        return search_portable(request)

    def suggest(self, prefix, restrictions, limit):
        return suggestions.suggest(prefix, restrictions, limit, full_text=self.full_text)

    def related(self, page_id, restrictions, limit):
        return suggestions.related(page_id, restrictions, limit, full_text=self.full_text)

    def corrections(self, words, restrictions):
        """Checked one word at a time: a query has a handful of words, and most are known."""
        return vocabulary.corrections(words, restrictions, trigrams=self.full_text)
