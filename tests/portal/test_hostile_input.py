"""Bad input is never a server error: every public URL, with hostile values in every parameter,
path segment and form field it reads (tests/portal/hostile.py lists them), answers below 500.

The hostile values: NUL and other control characters, line breaks, invalid UTF-8 and the UTF-8
of lone surrogates, huge, negative and non-ASCII numbers, very long strings, JSON, and a
parameter given twice where one value is expected.
"""

import re

import pytest
from django.core.cache import cache

from tests.portal.hostile import (
    ARRAY,
    HOSTILE_INT_SEGMENTS,
    HOSTILE_SLUG_SEGMENTS,
    HOSTILE_STR_SEGMENTS,
    HOSTILE_VALUES,
    build_site,
    encode,
    public_patterns,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(settings, tmp_path, redis_available, postgres):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.RATELIMIT_ENABLE = False
    cache.clear()
    return build_site(settings)


class Walk:
    """Sends requests and keeps every one answered with a server error."""

    def __init__(self, client):
        self.client = client
        self.client.raise_request_exception = False
        self.failures = []
        self.user = None

    def login(self, user):
        if user != self.user:
            self.client.logout()
            if user is not None:
                self.client.force_login(user)
            self.user = user

    def get(self, path, query=""):
        url = f"{path}?{query}" if query else path
        self.check("GET", url, self.client.get(url))

    def post(self, path, body):
        response = self.client.post(
            path, data=body, content_type="application/x-www-form-urlencoded"
        )
        self.check("POST", f"{path} {body}", response)

    def check(self, method, what, response):
        if response.status_code >= 500:
            self.failures.append(f"{method} {what[:160]} -> {response.status_code}")


# Email providers' webhooks (django-anymail) are third-party views, authenticated by the
# provider; the ones of providers not configured fail on every request (reported separately).
NOT_WALKED = "anymail:"


def test_no_hostile_parameter_path_or_form_field_is_a_server_error(site, client):
    walked = set(site)
    for route, name in public_patterns():
        assert name in walked or name.startswith(NOT_WALKED), f"{route} ({name}) is not walked"

    walk = Walk(client)
    for targets in site.values():
        for target in targets:
            walk.login(target.user)
            walk.get(target.path)
            for name in target.params:
                walk.get(target.path, f"{name}=1&{name}=2")
                for value in HOSTILE_VALUES.values():
                    walk.get(target.path, f"{name}={value}")
            if target.fields:
                walk.post(target.path, encode(target.baseline))
            for name in target.fields:
                rest = encode({k: v for k, v in target.baseline.items() if k != name})
                for value in [*HOSTILE_VALUES.values(), ARRAY]:
                    given = f"{name}=1&{name}=2" if value == ARRAY else f"{name}={value}"
                    walk.post(target.path, f"{rest}&{given}" if rest else given)
    walk.login(None)
    walk_paths(walk, site)
    assert walk.failures == [], "\n".join(walk.failures)


CONVERTER = re.compile(r"<(?:(\w+):)?\w+>")
SEGMENTS = {
    "int": HOSTILE_INT_SEGMENTS,
    "slug": HOSTILE_SLUG_SEGMENTS,
    "str": HOSTILE_STR_SEGMENTS,
}


def walk_paths(walk, site):
    """Hostile values in every path segment a URL pattern captures."""
    for route, name in public_patterns():
        if name.startswith(NOT_WALKED):
            continue
        for match in CONVERTER.finditer(route):
            for value in SEGMENTS[match.group(1) or "str"]:
                path = "/" + CONVERTER.sub("1", route[: match.start()]) + value
                walk.get(path + CONVERTER.sub("1", route[match.end() :]))
    # Routes written as regular expressions: Wagtail's pages and documents.
    document = site["wagtaildocs_serve"][0].path.rsplit("/", 1)[0]
    for value in HOSTILE_STR_SEGMENTS:
        walk.get(f"{document}/{value}")
        walk.get(f"/{value}/")
        walk.get(f"/practice/{value}/")
