"""Practice submission by forces, and the sign-in page force staff use for it.

Included from portal/urls.py before Wagtail's page serving, which would otherwise take
/practice/submit/ for a page under the practice index.
"""

from django.contrib.auth.views import LogoutView
from django.urls import path

from . import views

urlpatterns = [
    path("account/login/", views.SignInView.as_view(), name="login"),
    path("account/logout/", LogoutView.as_view(next_page="/"), name="logout"),
    path("practice/submit/", views.submit_practice, name="practice_submit"),
    path("practice/submit/received/", views.submission_received, name="practice_submitted"),
]
