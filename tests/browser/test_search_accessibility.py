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


@pytest.mark.parametrize("width", [1280, 375])
def test_search_box_suggests_as_you_type_accessibly(searchable, live_server, browser, width):
    """GOV.UK's accessible autocomplete on the search box: suggestions from /search/suggest/,
    chosen with the keyboard; the box keeps its label, name and hint, and typed words are
    searched as typed when no suggestion is chosen."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto(live_server.url + "/search/")
    box = page.get_by_label("Search for words, an acronym or a phrase")
    assert box.get_attribute("name") == "q" and box.get_attribute("role") == "combobox"
    assert "search-q-hint" in box.get_attribute("aria-describedby")
    box.press_sequentially("link off")
    option = page.get_by_role("option", name="Link officers for children's homes")
    option.wait_for()
    assert box.get_attribute("aria-expanded") == "true"
    # The autocomplete rewrites aria-describedby as the menu opens: the hint stays in it.
    assert "search-q-hint" in (box.get_attribute("aria-describedby") or "")
    assert_no_violations(page)
    # The keyboard moves into the list (focus leaves the box) and chooses.
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    assert box.input_value() == "Link officers for children's homes"
    page.get_by_role("button", name="Search").first.click()
    page.wait_for_url("**/search/?q=Link+officers*")
    assert page.get_by_role("link", name="Link officers for children's homes").is_visible()
    assert errors == []

    # Words typed without choosing a suggestion are searched as typed.
    box = page.get_by_label("Search for words, an acronym or a phrase")
    box.fill("")
    box.press_sequentially("missing children")
    page.get_by_role("button", name="Search").first.click()
    page.wait_for_url("**/search/?q=missing+children*")
    context.close()
