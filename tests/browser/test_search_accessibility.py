"""The search page and glossary in headless Chromium: no axe violations, and searching with
filters works without JavaScript."""

import pytest

from search import index
from tests.accessibility import assert_no_violations

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def searchable(make_practice):
    page = make_practice(
        title="Link officers for children's homes",
        summary="A named officer visits every children's home to cut repeat missing episodes.",
    )
    index.update(page.pk)
    return page


@pytest.mark.parametrize(
    "url",
    [
        "/search/",
        "/search/?q=missing+children",
        "/search/?q=mising",  # "did you mean"
        "/search/?q=zzzzqqq",  # no results
        "/glossary/",
    ],
)
def test_search_pages_have_no_accessibility_violations(searchable, live_server, page, url):
    response = page.goto(live_server.url + url)
    assert response.status == 200
    assert_no_violations(page)


def test_search_works_without_javascript(searchable, live_server, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/search/")
    page.get_by_label("Search", exact=False).first.fill("children's homes")
    page.get_by_role("button", name="Search").first.click()
    assert "q=children" in page.url
    assert page.get_by_role("link", name="Link officers for children's homes").is_visible()
    context.close()
