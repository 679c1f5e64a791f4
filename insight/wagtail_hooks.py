"""The Insight item in the admin menu, its URLs, and its permission on the groups page."""

from django.contrib.auth.models import Permission
from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import urls
from .views import PERMISSION


@hooks.register("register_admin_urls")
def register_insight_urls():
    return [path("insight/", include(urls))]


@hooks.register("register_permissions")
def register_insight_permission():
    """Shown on the admin's group pages, so the NCPI team can grant it to other groups."""
    return Permission.objects.filter(content_type__app_label="insight", codename="view_insight")


class InsightMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(PERMISSION)


@hooks.register("register_admin_menu_item")
def register_insight_menu_item():
    return InsightMenuItem(
        "Insight", reverse("insight:dashboard"), name="insight", icon_name="table", order=250
    )
