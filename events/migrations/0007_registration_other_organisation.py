"""A registration may name an organisation that is not listed (organisation empty, its name
in organisation_other), and gets role_audience, where the next migration keeps each audience
given as a role that no job role stands for. Each registration's role is copied there now,
after this migration's changes to the table: PostgreSQL refuses to alter a table whose rows
the same transaction has just updated."""

import django.db.models.deletion
from django.db import migrations, models


def copy_roles(apps, schema_editor):
    Registration = apps.get_model("events", "Registration")
    Registration.objects.update(role_audience_id=models.F("role_id"))


class Migration(migrations.Migration):
    dependencies = [("events", "0006_add_event_joining_url")]

    operations = [
        migrations.AlterField(
            model_name="registration",
            name="organisation",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="event_registrations",
                to="taxonomy.organisation",
            ),
        ),
        migrations.AddField(
            model_name="registration",
            name="organisation_other",
            field=models.CharField(
                blank=True, max_length=200, verbose_name="organisation not listed"
            ),
        ),
        migrations.AddField(
            model_name="registration",
            name="role_audience",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="taxonomy.audience",
            ),
        ),
        # Irreversible: going back would need an audience for every job role.
        migrations.RunPython(copy_roles),
    ]
