"""Index updates follow publishing: publish, unpublish, move, delete and privacy changes each
enqueue a task after the transaction commits (so the worker sees the committed page)."""

from django.db.models.signals import post_delete, post_save
from wagtail.models import Page, PageViewRestriction
from wagtail.signals import page_published, page_unpublished, post_page_move

from . import facets, glossary


def _is_practice(page):
    from practice.models import PracticePage

    return isinstance(page, PracticePage) or page.specific_class is PracticePage


def page_changed(sender, instance, **kwargs):
    from .tasks import index_page

    if _is_practice(instance):
        index_page.delay_on_commit(instance.pk)


def page_moved(sender, instance, **kwargs):
    from .tasks import index_subtree

    # A move changes URLs of the page and all below it, and perhaps their restrictions.
    index_subtree.delay_on_commit(instance.pk)


def page_deleted(sender, instance, **kwargs):
    from .tasks import index_page

    # The database index row goes with the page (cascade); other backends need telling.
    if instance.specific_class is not None and _is_practice(instance):
        index_page.delay_on_commit(instance.pk)


def restriction_changed(sender, instance, **kwargs):
    from .tasks import index_subtree

    index_subtree.delay_on_commit(instance.page_id)


def glossary_changed(sender, **kwargs):
    glossary.invalidate()


def taxonomy_changed(sender, **kwargs):
    facets.invalidate_labels()


def connect():
    from .models import GlossaryTerm

    page_published.connect(page_changed, dispatch_uid="search-page-published")
    page_unpublished.connect(page_changed, dispatch_uid="search-page-unpublished")
    post_page_move.connect(page_moved, dispatch_uid="search-page-moved")
    post_delete.connect(page_deleted, sender=Page, dispatch_uid="search-page-deleted")
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
