"""The finder's filter checkboxes (portal/_finder.html), built in Python: a search or practice
page shows well over a hundred of them, and rendering each through the template language cost
more than the search itself."""

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag
def facet_options(facet, approximate):
    """The checkboxes of one filter group: each value with its count of results."""
    about = "about " if approximate else ""
    name = escape(facet.name)
    options = []
    for option in facet.options:
        value = escape(option.value)
        checked = " checked" if option.selected else ""
        count = int(option.count)
        plural = "" if count == 1 else "s"
        options.append(
            '<div class="govuk-checkboxes__item">'
            f'<input class="govuk-checkboxes__input" id="{name}-{value}" name="{name}"'
            f' type="checkbox" value="{value}"{checked}>'
            f'<label class="govuk-label govuk-checkboxes__label" for="{name}-{value}">'
            f'{escape(option.label)} <span class="portal-facet-count">({about}{count}'
            f'<span class="govuk-visually-hidden"> result{plural}</span>)</span></label>'
            "</div>"
        )
    return mark_safe("\n".join(options))  # noqa: S308 (every value above is escaped)
