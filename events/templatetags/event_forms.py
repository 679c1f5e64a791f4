"""Template helpers for the registration forms."""

from django import template

register = template.Library()


@register.filter
def select_options(field):
    """(value, label, selected) for each choice of a bound ModelChoiceField, the empty choice
    first. Built here in one plain query: looping over the field's choices in the template
    cost a COUNT and a server-side cursor per select, and a lookup of the current value per
    option, which made the two selects a large part of rendering the event page."""
    model_field = field.field
    current = "" if field.value() is None else str(field.value())
    options = []
    if model_field.empty_label is not None:
        options.append(("", model_field.empty_label, current == ""))
    for instance in model_field.queryset:
        value = str(model_field.prepare_value(instance))
        options.append((value, model_field.label_from_instance(instance), value == current))
    return options
