"""Replace Wagtail's welcome page with the portal's home page (as `wagtail start` does)."""

from django.db import migrations

HOME_INTRODUCTION = (
    "Police forces in England and Wales share child-protection practice that works, and learn "
    "together at events run by the National Child Protection Inspection team."
)


def create_homepage(apps, schema_editor):
    ContentType = apps.get_model("contenttypes.ContentType")
    Page = apps.get_model("wagtailcore.Page")
    Site = apps.get_model("wagtailcore.Site")
    Locale = apps.get_model("wagtailcore.Locale")
    HomePage = apps.get_model("portal.HomePage")

    # The welcome page that wagtailcore.0002_initial_data created, if it is still there.
    Page.objects.filter(
        depth=2, slug="home", content_type__app_label="wagtailcore", content_type__model="page"
    ).delete()

    content_type, _ = ContentType.objects.get_or_create(model="homepage", app_label="portal")
    locale = Locale.objects.order_by("pk").first()
    homepage = HomePage.objects.create(
        title="Safeguarding Practice Exchange",
        draft_title="Safeguarding Practice Exchange",
        slug="home",
        content_type=content_type,
        path="00010001",
        depth=2,
        numchild=0,
        url_path="/home/",
        locale=locale,
        introduction=HOME_INTRODUCTION,
    )
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={
            "hostname": "localhost",
            "port": 80,
            "root_page": homepage,
            "site_name": "Safeguarding Practice Exchange",
        },
    )


def remove_homepage(apps, schema_editor):
    apps.get_model("portal.HomePage").objects.filter(slug="home", depth=2).delete()


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_initial")]

    operations = [migrations.RunPython(create_homepage, remove_homepage)]
