"""Forms for the NCPI team's per-event pages in the admin."""

import csv
import io

from django import forms
from django.core.exceptions import ValidationError

from portal.forms import MultiLineField, SingleLineField

from .models import Registration

# Attendance CSVs come from sign-in sheets and video platforms' reports: a few thousand rows
# at most, so a generous cap that still refuses a wrong file early.
ATTENDANCE_CSV_MAX_BYTES = 2 * 1024 * 1024
TRUE_VALUES = {"yes", "y", "true", "1", "attended", "present", "x"}
FALSE_VALUES = {"no", "n", "false", "0", "absent", "did not attend", ""}


class EventEmailForm(forms.Form):
    statuses = forms.MultipleChoiceField(
        # Not addresses still to be confirmed: whoever typed them may not own them.
        choices=[
            choice
            for choice in Registration.Status.choices
            if choice[0] != Registration.Status.AWAITING_EMAIL
        ],
        widget=forms.CheckboxSelectMultiple,
        label="Send to registrations that are",
        initial=[Registration.Status.CONFIRMED],
        error_messages={"required": "Choose at least one group to email"},
    )
    subject = SingleLineField(max_length=200, error_messages={"required": "Enter a subject"})
    body = MultiLineField(
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 10}),
        label="Message",
        help_text="Each email starts with the registrant's name and ends with the event's "
        "details and their link to manage their registration.",
        error_messages={"required": "Enter the message"},
    )


class AttendanceUploadForm(forms.Form):
    file = forms.FileField(
        label="Attendance CSV",
        help_text="Columns: email, attended (yes or no). The first row is the header. "
        "Every row must match a confirmed registration; if any row is wrong, nothing changes.",
        error_messages={"required": "Choose a CSV file"},
    )

    def __init__(self, event, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > ATTENDANCE_CSV_MAX_BYTES:
            raise ValidationError("The file must be smaller than 2 MB")
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ValidationError("The file must be a CSV saved as UTF-8") from exc
        self.cleaned_data["marks"] = parse_attendance(text, self.event)
        return upload


def parse_attendance(text, event):
    """{registration pk: attended} from CSV text; ValidationError listing every bad line."""
    reader = csv.reader(io.StringIO(text))
    try:
        header = [cell.strip().lower() for cell in next(reader)]
    except (StopIteration, csv.Error) as exc:
        raise ValidationError("The file is empty or is not a CSV") from exc
    if "email" not in header or "attended" not in header:
        raise ValidationError("Line 1: the header must have the columns 'email' and 'attended'")
    email_at, attended_at = header.index("email"), header.index("attended")
    confirmed = {
        email: pk
        for pk, email in event.registrations.filter(
            status=Registration.Status.CONFIRMED
        ).values_list("pk", "email")
    }
    errors, marks, seen = [], {}, {}
    try:
        for line_number, row in enumerate(reader, start=2):
            if not any(cell.strip() for cell in row):
                continue
            if len(row) <= max(email_at, attended_at):
                errors.append(f"Line {line_number}: expected an email and an attended column")
                continue
            email = row[email_at].strip().lower()
            value = row[attended_at].strip().lower()
            if email not in confirmed:
                errors.append(
                    f"Line {line_number}: '{email}' has no confirmed registration for this event"
                )
            elif email in seen:
                errors.append(f"Line {line_number}: '{email}' is already on line {seen[email]}")
            elif value not in TRUE_VALUES | FALSE_VALUES:
                errors.append(f"Line {line_number}: attended must be 'yes' or 'no', not '{value}'")
            else:
                seen[email] = line_number
                marks[confirmed[email]] = value in TRUE_VALUES
    except csv.Error as exc:
        errors.append(f"Line {reader.line_num}: {exc}")
    if errors:
        raise ValidationError(errors)
    if not marks:
        raise ValidationError("The file has no attendance rows")
    return marks
