"""Registrations can be anonymised (email NULL, anonymised_at set), and attendee lists need
their own permission, which the NCPI team (Wagtail's Moderators group) is given here.

Django creates a model's permissions after all migrations have run (post_migrate), so the
permission is created here if it does not exist yet, to be granted in the same migration.
"""

from django.db import migrations, models

NCPI_TEAM_GROUP = "Moderators"


def grant_export_permission(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    content_type, _ = ContentType.objects.get_or_create(app_label="events", model="registration")
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type,
        codename="export_registration",
        defaults={"name": "Can export attendee lists (CSV and attendance)"},
    )
    team, _ = Group.objects.get_or_create(name=NCPI_TEAM_GROUP)
    team.permissions.add(permission)


class Migration(migrations.Migration):

    dependencies = [
        ('events', '0003_police_email_confirmation_and_cooldown'),
        ('auth', '0012_alter_user_first_name_max_length'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='registration',
            options={'ordering': ['created_at', 'pk'], 'permissions': [('export_registration', 'Can export attendee lists (CSV and attendance)')]},
        ),
        migrations.AddField(
            model_name='registration',
            name='anonymised_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name='registration',
            name='email',
            field=models.EmailField(max_length=254, null=True),
        ),
        migrations.RunPython(grant_export_permission, migrations.RunPython.noop),
    ]
