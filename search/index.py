"""Keeping the search index in step with the page tree. Other apps call update(page_id)."""

from wagtail.models import Page

from . import documents
from .backends import get_backend, index_backends

# Pages indexed per database transaction in a rebuild: big enough to amortise the round trips,
# small enough that one batch is quick and holds few locks.
REBUILD_BATCH = 200


def _backends(names):
    return [get_backend(name) for name in names] if names else index_backends()


def update(page_id, backends=None):
    """Index the page as it is now, or remove it when it is no longer searchable. Idempotent."""
    document = documents.build(page_id)
    for backend in _backends(backends):
        if document is None:
            backend.delete([page_id])
        else:
            backend.upsert([document])
    return document is not None


def update_subtree(page_id, backends=None):
    """Re-index a page and everything below it (after a move or a view restriction change)."""
    from practice.models import PracticePage

    page = Page.objects.filter(pk=page_id).first()
    if page is None:
        for backend in _backends(backends):
            backend.delete([page_id])
        return 0
    ids = list(
        PracticePage.objects.filter(path__startswith=page.path).values_list("pk", flat=True)
    )
    for page_id in ids:
        update(page_id, backends)
    return len(ids)


def rebuild(backends=None):
    """Index every live practice page again, in batches; removes documents of other pages."""
    from practice.models import PracticePage

    ids = list(PracticePage.objects.live().order_by("pk").values_list("pk", flat=True))
    for backend in _backends(backends):
        backend.clear()
    indexed = 0
    for start in range(0, len(ids), REBUILD_BATCH):
        batch = [documents.build(pk) for pk in ids[start : start + REBUILD_BATCH]]
        batch = [doc for doc in batch if doc is not None]
        for backend in _backends(backends):
            backend.upsert(batch)
        indexed += len(batch)
    return indexed
