from django.urls import path

from . import views

app_name = "events"

# Registrants' pages sit outside /events/, where Wagtail serves event pages by slug; the
# registration form posts to the event by its id (views.register).
urlpatterns = [
    path("events/feed.ics", views.feed, name="feed"),
    path("events/feed/<slug:slug>.ics", views.criterion_feed, name="criterion_feed"),
    path("events/calendar/<int:pk>.ics", views.event_calendar, name="event_calendar"),
    path("events/<int:event_id>/register/", views.register, name="register"),
    path("event-registrations/received/<str:token>/", views.received, name="received"),
    path("event-registrations/<str:token>/", views.manage, name="manage"),
    path("event-registrations/<str:token>/feedback/", views.feedback, name="feedback"),
    path(
        "event-registrations/<str:token>/data.json",
        views.registration_data,
        name="registration_data",
    ),
    path("event-registrations/<str:token>/erase/", views.erase, name="erase"),
    path(
        "event-registrations/<str:token>/event.ics",
        views.registration_calendar,
        name="registration_calendar",
    ),
]
