"""Signing a browser in without its sign-in page: for tests about other pages (signing in, with
its lockout, two-factor and single sign-on, has browser tests of its own in tests/accounts and
tests/browser/test_account_journeys.py)."""

from django.conf import settings
from django.test import Client


def sign_in_as(page, live_server, user):
    """Give the browser a session signed in as `user`, as after a real sign-in."""
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
    )
