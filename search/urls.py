from django.urls import path

from . import views

app_name = "search"

urlpatterns = [
    path("search/", views.search_page, name="search"),
    path("search/feed/", views.SearchFeed(), name="feed"),
    path("search/suggest/", views.suggest, name="suggest"),
    path("glossary/", views.glossary_page, name="glossary"),
]
