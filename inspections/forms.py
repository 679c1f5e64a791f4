from django import forms

from portal.forms import ListingFilterForm, SlugMultipleChoiceField
from taxonomy.models import Criterion, Organisation

from .models import InspectionReportPage, Programme, Status


def unknown(what):
    # The API returns these words as they are, so they name the filter and the bad value.
    return {"invalid_choice": f"There is no {what} '%(value)s'"}


class RegisterFilterForm(ListingFilterForm):
    """The register's filters, shared by the page, its CSV download and the JSON API."""

    force = SlugMultipleChoiceField(
        Organisation.objects.filter(kind=Organisation.Kind.FORCE),
        label="Force",
        error_messages=unknown("force"),
    )
    programme = forms.MultipleChoiceField(
        choices=Programme.choices,
        required=False,
        label="Programme",
        error_messages=unknown("programme"),
    )
    criterion = SlugMultipleChoiceField(
        Criterion.objects.all(), label="NCPI criterion", error_messages=unknown("NCPI criterion")
    )
    status = forms.MultipleChoiceField(
        choices=Status.choices, required=False, label="Status", error_messages=unknown("status")
    )
    year = forms.TypedMultipleChoiceField(
        coerce=int,
        required=False,
        label="Year published",
        error_messages={"invalid_choice": "There are no reports published in '%(value)s'"},
    )

    lookups = {
        "force": "report__force__in",
        "programme": "report__programme__in",
        "criterion": "criterion__in",
        "status": "status__in",
        "year": "report__published_date__year__in",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only years that have reports, newest first: one query.
        years = InspectionReportPage.objects.live().dates("published_date", "year", order="DESC")
        self.fields["year"].choices = [(str(day.year), str(day.year)) for day in years]

    def active_filters(self):
        """As ListingFilterForm's, for taxonomy terms (slugs) and plain choices alike."""
        if not self.is_valid():
            return []
        active = []
        for name, field in self.fields.items():
            labels = {} if hasattr(field, "queryset") else dict(field.choices)
            for value in self.cleaned_data.get(name) or []:
                if hasattr(value, "slug"):
                    key, label = value.slug, value.name
                else:
                    key = str(value)
                    label = labels.get(key, key)
                remaining = self.data.copy()
                remaining.setlist(name, [v for v in self.data.getlist(name) if v != key])
                remaining.pop("page", None)
                active.append((field.label, label, remaining.urlencode()))
        return active
