from django.urls import path

from . import views

app_name = "insight"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("csv/<slug:section>/<slug:table>/", views.table_csv, name="csv"),
    path("glossary/", views.add_to_glossary, name="add_to_glossary"),
]
urlpatterns += [
    path("coverage/", views.coverage, name="coverage"),
    path("coverage/<slug:force>/<slug:criterion>/", views.coverage_cell, name="coverage_cell"),
    path("report/", views.report, name="report"),
]
