from django import forms

from portal.forms import SingleLineField, SlugMultipleChoiceField
from taxonomy.models import Audience, Criterion, Theme

from . import saved_searches
from .models import Subscriber, Subscription


class SubscribeForm(forms.Form):
    """Sign up for topics and saved searches. Error messages in GOV.UK's words."""

    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="We send a link to this address to confirm it is yours.",
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
            "max_length": "Email address must be 254 characters or fewer",
        },
    )
    organisation_type = forms.ChoiceField(
        label="Where do you work?",
        choices=Subscriber.OrganisationType.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select whether you work for a police force or a partner organisation",
            "invalid_choice": "Select whether you work for a police force or a partner "
            "organisation",
        },
    )
    criteria = SlugMultipleChoiceField(Criterion.objects.all(), label="NCPI criteria")
    themes = SlugMultipleChoiceField(Theme.objects.all(), label="Themes")
    audiences = SlugMultipleChoiceField(Audience.objects.all(), label="Audiences")
    events = forms.BooleanField(required=False, label="All new learning events")
    listing = SingleLineField(required=False, label="Listing", widget=forms.HiddenInput)
    search = SingleLineField(
        required=False, max_length=2000, label="The saved search", widget=forms.HiddenInput
    )
    frequency = forms.ChoiceField(
        label="How often do you want emails?",
        choices=Subscription.Frequency.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select how often you want emails",
            "invalid_choice": "Select how often you want emails",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("criteria", "themes", "audiences"):
            self.fields[name].error_messages["invalid_choice"] = (
                f"Some {self.fields[name].label} you chose no longer exist: choose again"
            )

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        cleaned = super().clean()
        listing, search = cleaned.get("listing"), cleaned.get("search")
        cleaned["search_querystring"] = ""
        if listing or search:
            try:
                cleaned["search_querystring"] = saved_searches.clean_search(listing, search)
            except ValueError as exc:
                raise forms.ValidationError(str(exc)) from exc
        if not (
            cleaned.get("criteria")
            or cleaned.get("themes")
            or cleaned.get("audiences")
            or cleaned.get("events")
            or cleaned["search_querystring"]
        ) and not self.errors.get("criteria"):
            self.add_error("criteria", "Choose at least one topic to get emails about")
        return cleaned

    def subscriptions(self):
        """Unsaved Subscription objects for what was chosen."""
        data, frequency = self.cleaned_data, self.cleaned_data["frequency"]
        topics = [Subscription(kind="criterion", criterion=term) for term in data["criteria"]]
        topics += [Subscription(kind="theme", theme=term) for term in data["themes"]]
        topics += [Subscription(kind="audience", audience=term) for term in data["audiences"]]
        if data["events"]:
            topics.append(Subscription(kind="events"))
        if data["search_querystring"]:
            topics.append(
                Subscription(
                    kind="search", listing=data["listing"], querystring=data["search_querystring"]
                )
            )
        for topic in topics:
            topic.frequency = frequency
        return topics


class FrequencyForm(forms.Form):
    frequency = forms.ChoiceField(
        choices=Subscription.Frequency.choices,
        error_messages={"invalid_choice": "Select how often you want emails"},
    )


class TestSendForm(forms.Form):
    email = forms.EmailField(
        label="Send a test to",
        error_messages={
            "required": "Enter an email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )


class ScheduleForm(forms.Form):
    scheduled_at = forms.DateTimeField(
        label="Send at (UK time)",
        help_text="For example, 2026-03-01 09:00",
        error_messages={
            "required": "Enter when to send it",
            "invalid": "Enter a date and time like 2026-03-01 09:00",
        },
    )
