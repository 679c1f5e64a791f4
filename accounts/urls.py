"""The signed-in person's own pages, beside allauth's (sign-in, sign-up, email, two-factor)."""

from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("", views.home, name="home"),
    path("request-access/", views.request_access, name="request_access"),
    path("reconfirm/<str:token>/", views.reconfirm, name="reconfirm"),
    path("delete/", views.delete_account, name="delete"),
    path("data.json", views.export_data, name="export"),
]
