"""What every statement of the database backend shares: the tables' names, and how a search's
statement is run."""

from ...models import SearchDocument, SearchFacet, SearchLexeme

TABLE = SearchDocument._meta.db_table
LEXEMES = SearchLexeme._meta.db_table
FACETS = SearchFacet._meta.db_table


def execute(cursor, sql, params, no_seqscan=False):
    """Run one of the search's statements (constants and %s placeholders only) without
    parallel workers, and with `no_seqscan` without sequential scans: SET LOCAL in the same
    round trip, then back to the defaults, in case a transaction is open.

    Starting two workers takes PostgreSQL 5 to 10 ms, which it weighs against scanning
    thousands of rows, not against a statement that, by design, reads a bounded few; it
    started them even for the exact count that a false condition skips (at 100,000
    documents, "missing children" in one audience: 22 ms with them, 13 ms without). On a
    busy server the workers would also take the cores other searches need."""
    settings_sql = "SET LOCAL max_parallel_workers_per_gather = 0"
    reset_sql = "SET LOCAL max_parallel_workers_per_gather = DEFAULT"
    if no_seqscan:
        settings_sql += "; SET LOCAL enable_seqscan = off"
        reset_sql += "; SET LOCAL enable_seqscan = DEFAULT"
    # Several statements in one string: the client-side binding Django's psycopg backend
    # uses sends them as one simple query, an implicit transaction. The results of the SETs
    # come first: skip to the statement's.
    cursor.execute(f"{settings_sql}; {sql}; {reset_sql}", params)
    for _ in range(settings_sql.count(";") + 1):
        cursor.nextset()
