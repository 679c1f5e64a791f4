"""A stored calendar UID for every event, in place of one built from the host and database id
(which changed when the domain moved or the events were imported into a new database).

Existing events with an import id get the UUID the importer gives that id (so importing the
same file later keeps it); the others a random one.
"""

import uuid

from django.db import migrations, models

# A copy of events.calendar.IMPORT_UID_NAMESPACE: migrations do not import app code.
IMPORT_UID_NAMESPACE = uuid.UUID("7696258d-13b7-4f31-bafa-4601c34a39b9")


def fill_calendar_uids(apps, schema_editor):
    EventPage = apps.get_model("events", "EventPage")
    for event in EventPage.objects.only("pk", "external_id").iterator():
        if event.external_id:
            value = uuid.uuid5(IMPORT_UID_NAMESPACE, event.external_id)
        else:
            value = uuid.uuid4()
        EventPage.objects.filter(pk=event.pk).update(calendar_uid=value)


class Migration(migrations.Migration):
    dependencies = [("events", "0004_anonymise_registrations_and_export_permission")]

    operations = [
        migrations.AddField(
            model_name="eventpage",
            name="calendar_uid",
            field=models.UUIDField(null=True, editable=False),
        ),
        migrations.RunPython(fill_calendar_uids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="eventpage",
            name="calendar_uid",
            field=models.UUIDField(
                default=uuid.uuid4,
                editable=False,
                help_text="The event's UID in every calendar file: the same for the event's life.",
                unique=True,
            ),
        ),
    ]
