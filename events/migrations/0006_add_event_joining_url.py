"""A joining link for online and hybrid events. The calendar fingerprint (events.calendar.
fingerprint) now covers the joining details, so that adding or changing them emails confirmed
registrants: existing fingerprints are restated in the new form here, or the next publish of
every event would look like a change and email everyone."""

import hashlib

import django.core.validators
import wagtail.fields
from django.db import migrations, models


def fingerprint(event):
    # A copy of events.calendar.fingerprint as of this migration.
    parts = [
        event.title,
        event.start.isoformat(),
        event.end.isoformat(),
        event.venue,
        str(event.format_id),
        str(event.cancelled),
        event.joining_url,
        event.joining_instructions,
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def restate_fingerprints(apps, schema_editor):
    EventState = apps.get_model("events", "EventState")
    for state in EventState.objects.exclude(fingerprint="").select_related("event"):
        state.fingerprint = fingerprint(state.event)
        state.save(update_fields=["fingerprint"])


class Migration(migrations.Migration):
    dependencies = [("events", "0005_add_event_calendar_uid")]

    operations = [
        migrations.AddField(
            model_name="eventpage",
            name="joining_url",
            field=models.URLField(
                blank=True,
                help_text="Online and hybrid events: the link to join (https). Private: shown only to confirmed registrants, in their emails, calendar invitations and own page.",
                validators=[django.core.validators.URLValidator(schemes=["https"])],
            ),
        ),
        migrations.AlterField(
            model_name="eventpage",
            name="joining_instructions",
            field=wagtail.fields.RichTextField(
                blank=True,
                help_text="Meeting ID, passcode, dial-in numbers and anything else confirmed registrants need to join. Private, like the link.",
            ),
        ),
        migrations.RunPython(restate_fingerprints, migrations.RunPython.noop),
    ]
