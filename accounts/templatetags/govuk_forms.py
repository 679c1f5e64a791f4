"""Django form widgets as GOV.UK inputs: allauth's forms (and ours) render through these."""

from django import forms, template

register = template.Library()

AUTOCOMPLETE = {"email": "email", "login": "email", "password": "current-password"}


@register.filter
def is_checkbox(bound_field):
    return isinstance(bound_field.field.widget, forms.CheckboxInput)


@register.filter
def govuk_widget(bound_field):
    widget = bound_field.field.widget
    described = []
    if bound_field.help_text:
        described.append(f"{bound_field.id_for_label}-hint")
    if bound_field.errors:
        described.append(f"{bound_field.id_for_label}-error")
    error = bool(bound_field.errors)
    attrs = {}
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if isinstance(widget, forms.CheckboxInput):
        attrs["class"] = "govuk-checkboxes__input"
    elif isinstance(widget, forms.Textarea):
        attrs["class"] = "govuk-textarea" + (" govuk-textarea--error" if error else "")
    elif isinstance(widget, forms.Select):
        attrs["class"] = "govuk-select" + (" govuk-select--error" if error else "")
    else:
        attrs["class"] = "govuk-input govuk-!-width-two-thirds" + (
            " govuk-input--error" if error else ""
        )
        attrs["spellcheck"] = "false"
        # allauth's forms set placeholders in place of labels; GOV.UK labels every field.
        attrs["placeholder"] = False
        if "autocomplete" not in widget.attrs and bound_field.name in AUTOCOMPLETE:
            attrs["autocomplete"] = AUTOCOMPLETE[bound_field.name]
    return bound_field.as_widget(attrs=attrs)
