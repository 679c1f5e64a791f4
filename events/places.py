"""How an event's free places are shown: the exact number only when few are left.

A public event page is shared from the page caches and purged when what it shows changes
(caching/signals.py). Showing "142 of 150 left" would change the page, and purge it, on every
registration, so a popular event's page would be rendered afresh for almost every visitor just
when most of them arrive. Above FEW_PLACES the page says only that places are available; the
count appears, and each registration purges the page, once few are left."""

FEW_PLACES = 10


def shows_count(seats_left):
    """Does the page show the number of places left (or that none are)?"""
    return seats_left is not None and seats_left <= FEW_PLACES


def shown_places_changed(seats_left_now, seat_freed):
    """After one seat was taken (or freed), has what the pages show changed? Only if the number
    is shown now, or, for a freed seat, was shown just before (FEW_PLACES became one more)."""
    if seats_left_now is None:
        return False
    return seats_left_now <= FEW_PLACES + (1 if seat_freed else 0)
