"""Form pieces shared by the listings of every app."""

from django import forms


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
