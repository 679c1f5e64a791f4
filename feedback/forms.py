from django import forms
from django.utils.http import url_has_allowed_host_and_scheme

from portal.forms import MultiLineField, SingleLineField


class FeedbackForm(forms.Form):
    # Error messages in GOV.UK's words: say what to do, not what went wrong.
    message = MultiLineField(
        max_length=5000,
        label="What would you like to tell us?",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=(
            "Do not include personal information about children or families, or details of a case."
        ),
        error_messages={
            "required": "Enter your feedback",
            "max_length": "Your feedback must be 5,000 characters or fewer",
        },
    )
    name = SingleLineField(
        max_length=200,
        required=False,
        label="Your name (optional)",
        error_messages={"max_length": "Your name must be 200 characters or fewer"},
    )
    email = forms.EmailField(
        required=False,
        label="Your email address (optional)",
        help_text="Only if you would like a reply.",
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )
    page = SingleLineField(max_length=500, required=False, widget=forms.HiddenInput)

    def clean_page(self):
        """Only a path on this site: anything else is dropped, not refused (it is a hint)."""
        page = self.cleaned_data.get("page") or ""
        if page.startswith("/") and url_has_allowed_host_and_scheme(page, allowed_hosts=None):
            return page
        return ""
