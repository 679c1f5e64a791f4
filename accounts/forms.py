from django import forms

from taxonomy.models import Organisation


class AccessRequestForm(forms.Form):
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.all(),
        required=False,
        label="Organisation you work for (optional)",
        help_text="If it is not listed, say which in your reason.",
        empty_label="Not listed",
    )
    reason = forms.CharField(
        label="Why do you need access?",
        help_text="Your role and how you will use police-only practice or events.",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Enter why you need access"},
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Enter why you need access")
        return reason


class DeleteAccountForm(forms.Form):
    confirm = forms.BooleanField(
        label="I understand my account will be deleted and cannot be brought back",
        error_messages={"required": "Confirm that you want to delete your account"},
    )
