from django import template

from ..queries import public_recommendations

register = template.Library()


@register.simple_tag
def recommendations_answered_by(practice):
    """The public recommendations that editors say this practice answers (one query)."""
    return list(public_recommendations().filter(answering_practice=practice))
