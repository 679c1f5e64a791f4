"""A registration's role is a job role. Each audience given as a role becomes the job role that
stands for it; an audience no job role stands for ("Safeguarding partners": social workers,
health and education staff alike) stays in role_audience, so no answer is lost."""

import django.db.models.deletion
from django.db import migrations, models

# Audience slug -> job role slug, as of this migration (taxonomy/data/taxonomy.json).
JOB_ROLE_FOR_AUDIENCE = {
    "frontline-response": "response-officer",
    "neighbourhood-policing": "neighbourhood-officer",
    "custody": "custody-officer",
    "child-protection": "public-protection-officer",
    "investigation": "investigator",
    "control-room": "call-handler",
    "senior-leaders": "senior-leader",
}


def audiences_to_job_roles(apps, schema_editor):
    Registration = apps.get_model("events", "Registration")
    Audience = apps.get_model("taxonomy", "Audience")
    JobRole = apps.get_model("taxonomy", "JobRole")
    job_roles = dict(JobRole.objects.values_list("slug", "pk"))
    for audience_id, slug in Audience.objects.values_list("pk", "slug"):
        job_role_id = job_roles.get(JOB_ROLE_FOR_AUDIENCE.get(slug))
        if job_role_id is not None:
            Registration.objects.filter(role_audience_id=audience_id).update(
                role_id=job_role_id, role_audience_id=None
            )


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0007_registration_other_organisation"),
        ("taxonomy", "0007_add_job_roles"),
    ]

    operations = [
        migrations.RemoveField(model_name="registration", name="role"),
        migrations.AddField(
            model_name="registration",
            name="role",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="event_registrations",
                to="taxonomy.jobrole",
            ),
        ),
        # Irreversible: going back would need an audience for every job role.
        migrations.RunPython(audiences_to_job_roles),
    ]
