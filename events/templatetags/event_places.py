from django import template

from events import places

register = template.Library()


@register.filter
def shows_count(seats_left):
    return places.shows_count(seats_left)
