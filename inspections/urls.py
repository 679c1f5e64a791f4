from django.urls import path

from . import views

app_name = "inspections"

urlpatterns = [
    path("recommendations/", views.register, name="register"),
    path("recommendations/download.csv", views.register_csv, name="register_csv"),
    path("recommendations/<int:pk>/", views.recommendation_detail, name="recommendation"),
    path("forces/", views.force_list, name="force_list"),
    path("forces/<slug:slug>/", views.force_detail, name="force"),
]
