from django import forms

from portal.forms import ListingFilterForm, SlugMultipleChoiceField

from taxonomy.models import Audience, Criterion, Organisation, Theme


class PracticeFilterForm(ListingFilterForm):
    criterion = SlugMultipleChoiceField(Criterion.objects.all(), label="NCPI criterion")
    theme = SlugMultipleChoiceField(Theme.objects.all(), label="Theme")
    audience = SlugMultipleChoiceField(Audience.objects.all(), label="Audience")
    force = SlugMultipleChoiceField(
        Organisation.objects.filter(kind=Organisation.Kind.FORCE), label="Force"
    )

    lookups = {
        "criterion": "criteria__in",
        "theme": "themes__in",
        "audience": "audiences__in",
        "force": "force__in",
    }


class ContactOriginatorForm(forms.Form):
    """Asks the force that shared the practice a question, through the portal."""

    name = forms.CharField(max_length=200, label="Your name")
    email = forms.EmailField(
        label="Your email address",
        help_text="Shared with the originator only so that they can reply to you.",
    )
    organisation = forms.CharField(max_length=200, label="Your organisation")
    message = forms.CharField(
        max_length=5000,
        label="Your message",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Do not include personal information about children or families.",
    )
