from django.urls import path

from . import feeds, views

app_name = "search"

urlpatterns = [
    path("search/", views.search_page, name="search"),
    path("search/feed/", feeds.search_feed, name="feed"),
    path("search/suggest/", views.suggest, name="suggest"),
    path("glossary/", views.glossary_page, name="glossary"),
]
