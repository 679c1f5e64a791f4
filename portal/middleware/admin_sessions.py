"""Staff are signed out after ADMIN_SESSION_IDLE_TIMEOUT seconds without a request.

An admin session can publish, unpublish and read restricted content and registrants' details,
so one left open on an unattended machine must not stay usable. Everyone with access to the
Wagtail admin is covered, on the admin and the public site alike; other people (force staff
who sign in to submit practice) keep Django's default session length.

Requests a browser makes on its own (Wagtail's editing-session pings, every few seconds while
an editor is open) are not activity: a forgotten editor tab must not keep a session alive.
"""

import time

from django.conf import settings
from django.contrib.auth import logout

LAST_ACTIVITY_KEY = "portal-admin-last-activity"
# The last activity is written at most this often, not on every request: the idle limit is
# then exact to within a minute, for a session write a minute rather than one a request.
WRITE_INTERVAL = 60


class AdminIdleTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and has_admin_access(user):
            now = int(time.time())
            last = request.session.get(LAST_ACTIVITY_KEY)
            if last is not None and now - last > settings.ADMIN_SESSION_IDLE_TIMEOUT:
                logout(request)
            elif not is_background(request) and (last is None or now - last >= WRITE_INTERVAL):
                request.session[LAST_ACTIVITY_KEY] = now
        return self.get_response(request)


def has_admin_access(user):
    return user.is_staff or user.has_perm("wagtailadmin.access_admin")


def is_background(request):
    return request.path_info.startswith(settings.ADMIN_BACKGROUND_URL_PREFIXES)
