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

    # Error messages in GOV.UK's words: say what to do, not what went wrong.
    name = forms.CharField(
        max_length=200,
        label="Your name",
        error_messages={
            "required": "Enter your name",
            "max_length": "Your name must be 200 characters or fewer",
        },
    )
    email = forms.EmailField(
        label="Your email address",
        help_text="Shared with the originator only so that they can reply to you.",
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )
    organisation = forms.CharField(
        max_length=200,
        label="Your organisation",
        error_messages={
            "required": "Enter your organisation",
            "max_length": "Your organisation must be 200 characters or fewer",
        },
    )
    message = forms.CharField(
        max_length=5000,
        label="Your message",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Do not include personal information about children or families.",
        error_messages={
            "required": "Enter your message",
            "max_length": "Your message must be 5,000 characters or fewer",
        },
    )
