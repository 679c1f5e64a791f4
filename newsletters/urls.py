from django.urls import path

from . import views

app_name = "newsletters"
urlpatterns = [
    path("", views.archive, name="archive"),
    path("issues/<int:pk>/", views.issue, name="issue"),
    path("subscribe/", views.subscribe, name="subscribe"),
    path("subscribe/check-your-email/", views.subscribe_done, name="subscribe_done"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("manage/<str:token>/", views.manage, name="manage"),
    path("manage/<str:token>/data.json", views.manage_data, name="manage_data"),
    path("manage/<str:token>/erase/", views.erase, name="erase"),
    path("manage/<str:token>/new-link/", views.new_manage_link, name="new_manage_link"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
