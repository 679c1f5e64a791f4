from django.contrib.auth.models import Permission
from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.widgets import Button

from . import admin_views
from .models import EventPage

admin_urlpatterns = [
    path("<int:page_id>/registrations/", admin_views.registrations, name="registrations"),
    path(
        "<int:page_id>/registrations/<int:registration_id>/",
        admin_views.registration_action,
        name="registration_action",
    ),
    path("<int:page_id>/registrations.csv", admin_views.export_csv, name="export"),
    path("<int:page_id>/attendance/", admin_views.attendance, name="attendance"),
    path("<int:page_id>/follow-ups/", admin_views.follow_ups, name="follow_ups"),
    path("<int:page_id>/email/", admin_views.email, name="email"),
]


@hooks.register("register_permissions")
def register_export_permission():
    """Shown on the admin's group pages, so the NCPI team can grant it to other groups."""
    return Permission.objects.filter(
        content_type__app_label="events", codename="export_registration"
    )


@hooks.register("register_admin_urls")
def register_event_admin_urls():
    return [path("events/", include((admin_urlpatterns, "events_admin")))]


def _registrations_button(page, user, priority):
    page_class = page.specific_class
    is_event = page_class is not None and issubclass(page_class, EventPage)
    if is_event and page.permissions_for_user(user).can_edit():
        yield Button(
            "Registrations",
            reverse("events_admin:registrations", args=[page.pk]),
            icon_name="group",
            priority=priority,
        )


@hooks.register("register_page_header_buttons")
def event_header_buttons(page, user, view_name, next_url=None):
    yield from _registrations_button(page, user, priority=12)


@hooks.register("register_page_listing_more_buttons")
def event_listing_buttons(page, user, next_url=None):
    yield from _registrations_button(page, user, priority=3)
