"""Form pieces shared by every app: text fields that apply the portal's text rules
(portal.text), and the listings' filters."""

import re

from django import forms
from django.core.exceptions import ValidationError

from taxonomy.models import Audience, Criterion, Theme

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


class YearMultipleChoiceField(forms.MultipleChoiceField):
    """Years in the URL (2024): any four-digit year from 1900 on, so a link to a year with
    nothing in it yet still works; ASCII digits only."""

    default_error_messages = {"invalid_year": "'%(value)s' is not a year, like 2024"}

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    def valid_value(self, value):
        return bool(re.fullmatch(r"(19|20)[0-9]{2}", str(value)))

    def validate(self, value):
        for item in value or []:
            if not self.valid_value(item):
                raise ValidationError(
                    self.error_messages["invalid_year"],
                    code="invalid_year",
                    params={"value": item},
                )


class ListingFilterForm(forms.Form):
    """A listing's filters, kept in the URL. Values of one filter combine with OR, different
    filters with AND. Subclasses map each field to its queryset lookup in `lookups`."""

    lookups: dict[str, str] = {}

    def filter(self, queryset):
        return self.filter_except(queryset, None)

    def filter_except(self, queryset, skipped):
        """The queryset filtered by every filter but `skipped` (for counting its values)."""
        selected = False
        for name, lookup in self.lookups.items():
            if name != skipped and self.cleaned_data.get(name):
                queryset = queryset.filter(**{lookup: self.cleaned_data[name]})
                selected = True
        # Joins across many-to-many filters can repeat a row.
        return queryset.distinct() if selected else queryset

    def selected(self, name):
        """[(value in the URL, label)] chosen for one filter (after is_valid)."""
        chosen = self.cleaned_data.get(name) or []
        field = self.fields[name]
        if isinstance(field, forms.ModelMultipleChoiceField):
            return [(term.slug, term.name) for term in chosen]
        labels = dict(field.choices) if field.choices else {}
        return [(value, str(labels.get(value, value))) for value in chosen]

    def active_filters(self):
        """(filter label, value name, querystring without that value), for removal links."""
        if not self.is_valid():
            return []
        active = []
        for name, field in self.fields.items():
            if name not in self.lookups:
                continue
            for value, label in self.selected(name):
                remaining = self.data.copy()
                remaining.setlist(name, [v for v in self.data.getlist(name) if v != value])
                remaining.pop("page", None)
                active.append((field.label, label, remaining.urlencode()))
        return active


class TaggedPagesFilterForm(ListingFilterForm):
    """The filters every listing of tagged pages (practice, events) starts with: criterion,
    theme and audience, in the names and words search's facets use. Subclasses add theirs
    after these, and their lookups to these lookups."""

    criterion = SlugMultipleChoiceField(Criterion.objects.all(), label="NCPI criterion")
    theme = SlugMultipleChoiceField(Theme.objects.all(), label="Theme")
    audience = SlugMultipleChoiceField(Audience.objects.all(), label="Audience")

    lookups = {"criterion": "criteria__in", "theme": "themes__in", "audience": "audiences__in"}
