"""The NCPI team (Wagtail's Moderators group) may view insight.

Django creates a model's permissions after all migrations have run (post_migrate), so the
permission is created here if it does not exist yet, to be granted in the same migration.
"""

from django.db import migrations

NCPI_TEAM_GROUP = "Moderators"


def grant_view_insight(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    content_type, _ = ContentType.objects.get_or_create(app_label="insight", model="dailymetric")
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type, codename="view_insight", defaults={"name": "Can view insight"}
    )
    team, _ = Group.objects.get_or_create(name=NCPI_TEAM_GROUP)
    team.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("insight", "0001_create_daily_metric"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant_view_insight, migrations.RunPython.noop)]
