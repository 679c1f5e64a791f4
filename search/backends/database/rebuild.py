"""Rebuilding the database index without a moment of empty results: every document is built
aside first, into a temporary staging table of the connection (building is the slow part),
then swapped in within one transaction, so that searches see the old index until it commits
and the new one after.

Index updates keep running during a rebuild and win over it: a document indexed since the
rebuild started is newer than its staged copy, which is dropped; a staged page that the index
no longer holds (withdrawn or restricted meanwhile, or never indexed) is built again at the
swap rather than put back from the stage, so that a page restricted while the rebuild ran never
reappears for people who may no longer see it."""

import json
from dataclasses import asdict
from datetime import date

from django.db import connection, transaction
from django.utils import timezone

from ...documents import Document
from ...models import SearchDocument
from . import indexing

STAGING = "search_rebuild_staging"
# Documents built, staged or swapped in per round trip.
REBUILD_BATCH = 200


def _dump(document):
    return json.dumps(asdict(document), default=date.isoformat)


def _load(text):
    fields = json.loads(text)
    fields["published_date"] = date.fromisoformat(fields["published_date"])
    return Document(**fields)


def rebuild(page_ids, build, postgres, out=None):
    """Index exactly the given pages' documents (`build(page_id)`, None for a page not to be
    indexed), removing every other; (documents loaded, stale documents removed)."""
    started = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {STAGING}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {STAGING} "
            "(page_id integer PRIMARY KEY, document text NOT NULL)"
        )
    try:
        staged = _stage(page_ids, build, out)
        with transaction.atomic():
            return _swap(staged, started, build, postgres)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {STAGING}")


def _stage(page_ids, build, out):
    staged = []
    for start in range(0, len(page_ids), REBUILD_BATCH):
        built = [build(pk) for pk in page_ids[start : start + REBUILD_BATCH]]
        rows = [(doc.page_id, _dump(doc)) for doc in built if doc is not None]
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {STAGING} (page_id, document) VALUES (%s, %s)",  # noqa: S608
                rows,
            )
        staged += [pk for pk, _ in rows]
        if out and len(page_ids) > REBUILD_BATCH:
            out(f"  {len(staged)} documents staged")
    return staged


def _swap(staged, started, build, postgres):
    staged_ids = set(staged)
    stale = list(
        SearchDocument.objects.filter(indexed_at__lt=started)
        .exclude(page_id__in=staged_ids)
        .values_list("page_id", flat=True)
    )
    if stale:
        indexing.delete(stale, postgres)
    loaded = 0
    for start in range(0, len(staged), REBUILD_BATCH):
        ids = staged[start : start + REBUILD_BATCH]
        # Locked until the swap commits: an update of these pages arriving meanwhile waits,
        # then applies over the rebuilt documents.
        indexed = dict(
            SearchDocument.objects.select_for_update()
            .filter(page_id__in=ids)
            .values_list("page_id", "indexed_at")
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT page_id, document FROM {STAGING} WHERE page_id IN "  # noqa: S608
                f"({', '.join(['%s'] * len(ids))})",
                ids,
            )
            stage = dict(cursor.fetchall())
        documents = []
        for pk in ids:
            if pk not in indexed:
                document = build(pk)
            elif indexed[pk] < started:
                document = _load(stage[pk])
            else:
                document = None  # indexed since the rebuild started: newer than the stage
            if document is not None:
                documents.append(document)
        indexing.upsert(documents, postgres)
        loaded += len(documents) + sum(1 for pk in ids if pk in indexed and indexed[pk] >= started)
    return loaded, len(stale)
