"""Keeping the search index in step with the page tree. Other apps call update(page_id)."""

from wagtail.models import Page

from . import documents, results_cache
from .backends import get_backend, index_backends

# Pages re-indexed per run of a subtree's task: a move or restriction change high in the tree
# re-indexes every page below it, and one task doing thousands would outlast its time limit.
SUBTREE_BATCH = 200


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
    results_cache.forget()
    return document is not None


def update_subtree(page_id, backends=None, after=0):
    """Re-index a page and the practice pages below it (after a move or a view restriction
    change), SUBTREE_BATCH of them with a page id above `after`: (pages re-indexed, the id to
    continue after, or None when the subtree is done)."""
    from practice.models import PracticePage

    page = Page.objects.filter(pk=page_id).first()
    if page is None:
        for backend in _backends(backends):
            backend.delete([page_id])
        results_cache.forget()
        return 0, None
    ids = list(
        PracticePage.objects.filter(path__startswith=page.path, pk__gt=after)
        .order_by("pk")
        .values_list("pk", flat=True)[: SUBTREE_BATCH + 1]
    )
    for pk in ids[:SUBTREE_BATCH]:
        update(pk, backends)
    more = len(ids) > SUBTREE_BATCH
    return min(len(ids), SUBTREE_BATCH), ids[SUBTREE_BATCH - 1] if more else None


def rebuild(backends=None, out=None):
    """Index every live practice page again, removing the documents of other pages: each
    backend builds its new index aside and swaps it in, so that searches meanwhile are
    answered from the old one. The number of documents loaded."""
    from practice.models import PracticePage

    ids = list(PracticePage.objects.live().order_by("pk").values_list("pk", flat=True))
    if out:
        out(f"Rebuilding: {len(ids)} live practice page(s) to load.")
    loaded = 0
    for backend in _backends(backends):
        loaded = backend.rebuild(ids, documents.build, out=out)
    results_cache.forget()
    return loaded
