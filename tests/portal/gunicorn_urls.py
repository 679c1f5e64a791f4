"""The portal's URLs, and one more for tests/portal/test_gunicorn_workers.py: which worker
answered, and how many objects its garbage collector leaves alone (gc.freeze)."""

import gc
import os

from django.http import JsonResponse
from django.urls import include, path


def worker(request):
    return JsonResponse({"pid": os.getpid(), "frozen": gc.get_freeze_count()})


urlpatterns = [path("test-worker/", worker), path("", include("portal.urls"))]
