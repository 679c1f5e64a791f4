"""Index updates follow publishing: publish, unpublish, move, delete and privacy changes each
enqueue a task after the transaction commits (so the worker sees the committed page). Each of
these, and glossary and taxonomy changes, also forget the kept results pages (results_cache):
those show the navigation and the facets' labels as well as the results."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from wagtail.models import Page, PageViewRestriction
from wagtail.signals import page_published, page_unpublished, post_page_move

from . import facets, glossary, results_cache


def _is_practice(page):
    from practice.models import PracticePage

    return isinstance(page, PracticePage) or page.specific_class is PracticePage


def page_changed(sender, instance, **kwargs):
    from .tasks import index_page

    results_cache.forget()
    if _is_practice(instance):
        index_page.delay_on_commit(instance.pk)


def page_moved(sender, instance, **kwargs):
    from .tasks import index_subtree

    # A move changes URLs of the page and all below it, and perhaps their restrictions.
    results_cache.forget()
    index_subtree.delay_on_commit(instance.pk)


def page_deleted(sender, instance, **kwargs):
    from .tasks import index_page

    # The database index row goes with the page (cascade); other backends need telling.
    results_cache.forget()
    if instance.specific_class is not None and _is_practice(instance):
        index_page.delay_on_commit(instance.pk)


def restriction_changed(sender, instance, **kwargs):
    from .tasks import index_subtree

    results_cache.forget()
    index_subtree.delay_on_commit(instance.page_id)


def restriction_groups_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """Groups are set after a restriction is saved (Wagtail's privacy form, imports): until
    then a group restriction hides its pages from everyone, so the index must follow again."""
    from .tasks import index_subtree

    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        page_ids = [instance.page_id]
    elif pk_set:
        page_ids = PageViewRestriction.objects.filter(pk__in=pk_set).values_list(
            "page_id", flat=True
        )
    else:  # a group cleared of all its restrictions: which ones is no longer known
        page_ids = []
    results_cache.forget()
    for page_id in set(page_ids):
        index_subtree.delay_on_commit(page_id)


def glossary_changed(sender, **kwargs):
    glossary.invalidate()
    results_cache.forget()


def taxonomy_changed(sender, **kwargs):
    facets.invalidate_labels()
    results_cache.forget()


def connect():
    from .models import GlossaryTerm

    page_published.connect(page_changed, dispatch_uid="search-page-published")
    page_unpublished.connect(page_changed, dispatch_uid="search-page-unpublished")
    post_page_move.connect(page_moved, dispatch_uid="search-page-moved")
    post_delete.connect(page_deleted, sender=Page, dispatch_uid="search-page-deleted")
    m2m_changed.connect(
        restriction_groups_changed,
        sender=PageViewRestriction.groups.through,
        dispatch_uid="search-restriction-groups",
    )
    for signal in (post_save, post_delete):
        signal.connect(
            restriction_changed,
            sender=PageViewRestriction,
            dispatch_uid=f"search-restriction-{signal is post_save}",
        )
        signal.connect(
            glossary_changed,
            sender=GlossaryTerm,
            dispatch_uid=f"search-glossary-{signal is post_save}",
        )
        for model in facets.taxonomy_models():
            signal.connect(
                taxonomy_changed,
                sender=model,
                dispatch_uid=f"search-labels-{model._meta.label}-{signal is post_save}",
            )
