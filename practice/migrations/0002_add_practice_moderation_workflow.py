"""A "Practice moderation" workflow: the NCPI team (Wagtail's Moderators group) approves, asks
for changes to, or rejects case studies that forces submit through the site.

Wagtail's own migrations create a "Moderators approval" workflow on the root page, which also
covers practice; this one exists so that practice moderation still works, and can be changed on
its own, when a site removes or alters that default. Practice index pages that exist now get it;
the submission view falls back to it for pages no workflow applies to.
"""

from django.db import migrations

WORKFLOW_NAME = "Practice moderation"
TASK_NAME = "NCPI team approval"


def add_workflow(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Group = apps.get_model("auth", "Group")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    PracticeIndexPage = apps.get_model("practice", "PracticeIndexPage")

    moderators, _ = Group.objects.get_or_create(name="Moderators")
    # Historical models do not set Task.content_type themselves (the real model's __init__ does).
    task_type, _ = ContentType.objects.get_or_create(
        app_label="wagtailcore", model="groupapprovaltask"
    )
    task = GroupApprovalTask.objects.filter(name=TASK_NAME).first()
    if task is None:
        task = GroupApprovalTask.objects.create(
            name=TASK_NAME, content_type=task_type, active=True
        )
        task.groups.set([moderators])
    workflow, _ = Workflow.objects.get_or_create(name=WORKFLOW_NAME, defaults={"active": True})
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    for index in PracticeIndexPage.objects.all():
        if not WorkflowPage.objects.filter(page_id=index.pk).exists():
            WorkflowPage.objects.create(workflow=workflow, page_id=index.pk)


class Migration(migrations.Migration):
    dependencies = [
        ("practice", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(add_workflow, migrations.RunPython.noop)]
