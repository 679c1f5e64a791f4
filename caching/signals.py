"""Purges on every change that alters what a public URL shows (caching/dependencies.py):
publishing, unpublishing, moving, deleting or restricting a page, a registration changing the
places left shown, and taxonomy, organisation, glossary and recommendation changes."""

from django.db import transaction
from django.db.models.signals import post_delete, post_init, post_save, pre_delete
from wagtail.models import Page, PageViewRestriction
from wagtail.signals import (
    page_published,
    page_slug_changed,
    page_unpublished,
    post_page_move,
    pre_page_move,
)

from events.places import shown_places_changed

from . import dependencies
from .purge import purge_paths


def _page_changed(sender, instance, **kwargs):
    purge_paths(dependencies.page_paths(instance))


def _slug_changed(sender, instance, instance_before, **kwargs):
    # The old address showed the page (and its subpages, whose addresses change with it).
    paths = dependencies.page_paths(instance)
    old = instance_before.get_url()
    if old:
        paths |= {old, *dependencies.renamed_descendant_paths(instance, old)}
    purge_paths(paths)


def _page_deleted(sender, instance, **kwargs):
    if isinstance(instance, Page) and instance.live:
        purge_paths(dependencies.page_paths(instance))


def _restriction_changed(sender, instance, **kwargs):
    page = Page.objects.filter(pk=instance.page_id).first()
    if page is not None:
        purge_paths(dependencies.page_paths(page))


def _holds_seat(registration):
    # Read from the loaded fields only: a deferred status would cost a query per row.
    status = registration.__dict__.get("status")
    return status in (registration.Status.CONFIRMED, registration.Status.OFFERED)


def _registration_loaded(sender, instance, **kwargs):
    instance._seat_held_before = instance.pk is not None and _holds_seat(instance)


def _purge_if_places_shown_changed(registration, seat_freed):
    # Most registrations for a big event change nothing the pages show (events/places.py).
    # Booking sets seats_left_after_save when it has counted under the event's lock; it holds
    # for one save only.
    seats_left = registration.__dict__.pop("seats_left_after_save", None)
    if seats_left is None:
        seats_left = registration.event.seats_left()
    if shown_places_changed(seats_left, seat_freed):
        purge_paths(dependencies.event_seat_paths(registration.event))


def _registration_saved(sender, instance, created, **kwargs):
    held_before = getattr(instance, "_seat_held_before", False)
    instance._seat_held_before = _holds_seat(instance)
    if held_before == instance._seat_held_before:
        instance.__dict__.pop("seats_left_after_save", None)
        return
    if getattr(instance, "_seat_held_at_start", None) is not None:
        return  # a change in this transaction is already waiting for the commit
    # Decided at the commit, from the transaction's net change: a new registration is saved
    # as confirmed before its seat is counted under the event's lock (events.booking._book),
    # which sets seats_left_after_save then, or waitlists it if the event turned out full.
    instance._seat_held_at_start = held_before

    def decide():
        held_at_start = instance.__dict__.pop("_seat_held_at_start")
        if held_at_start != _holds_seat(instance):
            _purge_if_places_shown_changed(instance, seat_freed=held_at_start)
        instance.__dict__.pop("seats_left_after_save", None)

    transaction.on_commit(decide)


def _registration_deleted(sender, instance, **kwargs):
    if getattr(instance, "_seat_held_before", False):
        _purge_if_places_shown_changed(instance, seat_freed=True)


def _term_changed(sender, instance, **kwargs):
    purge_paths(dependencies.term_paths(instance))


def _recommendation_changed(sender, instance, **kwargs):
    purge_paths(dependencies.recommendation_paths(instance))


def connect():
    from events.models import Registration
    from inspections.models import Recommendation
    from search.models import GlossaryTerm
    from taxonomy.models import (
        Audience,
        Criterion,
        EventFormat,
        EvidenceLevel,
        JobRole,
        Organisation,
        Region,
        Theme,
    )

    uid = "caching"
    page_published.connect(_page_changed, dispatch_uid=f"{uid}-published")
    page_unpublished.connect(_page_changed, dispatch_uid=f"{uid}-unpublished")
    # Before a move: the old URL and listings; after it: the new ones.
    page_slug_changed.connect(_slug_changed, dispatch_uid=f"{uid}-slug-changed")
    pre_page_move.connect(_page_changed, dispatch_uid=f"{uid}-pre-move")
    post_page_move.connect(_page_changed, dispatch_uid=f"{uid}-post-move")
    # Every page type is its own sender: one receiver checks the instance instead.
    pre_delete.connect(_page_deleted, dispatch_uid=f"{uid}-page-deleted")
    for signal in (post_save, post_delete):
        signal.connect(_restriction_changed, sender=PageViewRestriction, dispatch_uid=uid)
        signal.connect(_recommendation_changed, sender=Recommendation, dispatch_uid=uid)
        for model in (
            Criterion,
            Theme,
            Audience,
            JobRole,
            EvidenceLevel,
            EventFormat,
            Region,
            Organisation,
            GlossaryTerm,
        ):
            signal.connect(_term_changed, sender=model, dispatch_uid=uid)
    post_init.connect(_registration_loaded, sender=Registration, dispatch_uid=uid)
    post_save.connect(_registration_saved, sender=Registration, dispatch_uid=uid)
    post_delete.connect(_registration_deleted, sender=Registration, dispatch_uid=uid)
