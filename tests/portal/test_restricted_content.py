"""Practice restricted to police users never leaks to anyone else: not through listings, the
home page, search, its feed, the API, the sitemap, or newsletter alerts."""

import pytest
from wagtail.models import PageViewRestriction

from portal import visibility
from search import index

pytestmark = pytest.mark.django_db

SECRET_TITLE = "Covert tactics for locating exploited children"


@pytest.fixture
def police_only(make_practice):
    page = make_practice(title=SECRET_TITLE, summary="Police-only detail about tactics.")
    restriction = PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.set([visibility.police_group()])
    index.update(page.pk)
    make_practice(title="Public practice on missing children")
    return page


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/practice/",
        "/search/?q=covert+tactics",
        "/search/?q=",
        "/search/feed/?q=covert",
        "/search/suggest/?q=covert",
        "/api/v1/search?q=covert+tactics",
        "/sitemap.xml",
        "/sitemaps/practice-practicepage/1.xml",
    ],
)
def test_police_only_practice_is_invisible_to_the_public(client, police_only, url):
    response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert SECRET_TITLE not in body
    assert police_only.slug not in body


def test_the_page_itself_asks_for_a_police_login(client, police_only):
    response = client.get(police_only.url)
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_police_users_find_it(client, police_only, django_user_model):
    user = django_user_model.objects.create_user("officer", "officer@force.police.example", "pw")
    user.groups.add(visibility.police_group())
    client.force_login(user)
    assert SECRET_TITLE in client.get("/search/?q=covert+tactics").content.decode()
