"""Practice submission by forces (people sign in through accounts/).

Included from portal/urls.py before Wagtail's page serving, which would otherwise take
/practice/submit/ for a page under the practice index.
"""

from django.urls import path

from . import views

urlpatterns = [
    path("practice/submit/", views.submit_practice, name="practice_submit"),
    path("practice/submit/received/", views.submission_received, name="practice_submitted"),
    path("practice/submit/<int:pk>/changes/", views.respond_to_changes, name="practice_respond"),
]
