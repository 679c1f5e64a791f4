"""Template helpers for the registration forms."""

from django import template

register = template.Library()


@register.filter
def select_options(field):
    """[(group label or "", [(value, label, selected)])] for a bound ModelChoiceField: the
    empty choice first, then the queryset's, grouped where the field names each instance's
    group (`group_from_instance`), then the field's `extra_choices`. Built here in one plain
    query: looping over the field's choices in the template cost a COUNT and a server-side
    cursor per select, and a lookup of the current value per option, which made the selects a
    large part of rendering the event page."""
    model_field = field.field
    current = "" if field.value() is None else str(field.value())
    group_of = getattr(model_field, "group_from_instance", lambda instance: "")
    groups = []
    if model_field.empty_label is not None:
        groups.append(["", [("", model_field.empty_label, current == "")]])
    for instance in model_field.queryset:
        value = str(model_field.prepare_value(instance))
        option = (value, model_field.label_from_instance(instance), value == current)
        group = group_of(instance)
        if groups and groups[-1][0] == group:
            groups[-1][1].append(option)
        else:
            groups.append([group, [option]])
    extra = [
        (value, label, value == current)
        for value, label in getattr(model_field, "extra_choices", [])
    ]
    if extra:
        groups.append(["", extra])
    return groups
