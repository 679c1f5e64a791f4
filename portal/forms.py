"""Form pieces shared by every app: text fields that apply the portal's text rules
(portal.text), and the listings' filters."""

from django import forms
from django.core.exceptions import ValidationError

from . import text


class SingleLineField(forms.CharField):
    """A value meant to be one line: a title, a name, an organisation, a role. Refuses line
    breaks and other control characters, which could forge lines in the emails the value is
    written into, or stop an email whose subject it becomes."""

    default_error_messages = {
        code: f"%(label)s {message}" for code, message in text.MESSAGES.items()
    }
    problem_in = staticmethod(text.line_problem)

    def validate(self, value):
        super().validate(value)
        problem = self.problem_in(value) if value else None
        if problem:
            raise ValidationError(
                self.error_messages[problem], code=problem, params={"label": self.label or "It"}
            )


class MultiLineField(SingleLineField):
    """Free text in a text area: line breaks and tabs are fine, other control characters
    (which the Atom feed and PostgreSQL cannot hold) are not."""

    widget = forms.Textarea
    problem_in = staticmethod(text.text_problem)


class SlugMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Filters in the URL use slugs, so links stay readable and stable."""

    def __init__(self, queryset, **kwargs):
        super().__init__(queryset, to_field_name="slug", required=False, **kwargs)


class ListingFilterForm(forms.Form):
    """A listing's filters, kept in the URL. Values of one filter combine with OR, different
    filters with AND. Subclasses map each field to its queryset lookup in `lookups`."""

    lookups: dict[str, str] = {}

    def filter(self, queryset):
        selected = False
        for name, lookup in self.lookups.items():
            if self.cleaned_data.get(name):
                queryset = queryset.filter(**{lookup: self.cleaned_data[name]})
                selected = True
        # Joins across many-to-many filters can repeat a row.
        return queryset.distinct() if selected else queryset

    def active_filters(self):
        """(filter label, value name, querystring without that value), for removal links."""
        if not self.is_valid():
            return []
        active = []
        for name, field in self.fields.items():
            for term in self.cleaned_data.get(name) or []:
                remaining = self.data.copy()
                remaining.setlist(name, [v for v in self.data.getlist(name) if v != term.slug])
                remaining.pop("page", None)
                active.append((field.label, term.name, remaining.urlencode()))
        return active
