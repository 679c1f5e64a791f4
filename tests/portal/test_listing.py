"""The listing base (portal.listing, portal/listing_page.html) as readers of /practice/ and
/events/ see it: the same answers to bad parameters, the same paging, each page's own count."""

import pytest


@pytest.fixture(params=["practice", "events"])
def listing(request, monkeypatch, make_practice, make_event, practice_index, event_index):
    """A listing of three items, two to a page: (index page, how it counts three)."""
    if request.param == "practice":
        index, make, count = practice_index, make_practice, "3 results"
    else:
        index, make, count = event_index, make_event, "3 upcoming events"
    monkeypatch.setattr(type(index), "per_page", 2)
    for number in range(3):
        make(title=f"Listed item {number}")
    return index, count


def listed_titles(html):
    return {f"Listed item {n}" for n in range(3) if f"Listed item {n}" in html}


def test_a_filter_value_that_does_not_exist_is_explained_and_filters_nothing(client, listing):
    index, count = listing
    response = client.get(index.url + "?criterion=no-such-criterion")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Error: " in html
    assert "govuk-error-summary" in html and "no-such-criterion" in html
    assert count in html


def test_pages_are_numbered_and_a_bad_page_number_shows_a_page(client, listing):
    index, count = listing
    first = client.get(index.url).content.decode()
    assert f"<title>{index.title} – " in first and count in first
    assert len(listed_titles(first)) == 2
    assert 'aria-label="Page 2"' in first

    for number in ("2", "99"):
        last = client.get(f"{index.url}?page={number}").content.decode()
        assert f"<title>{index.title} (page 2 of 2) – " in last
        assert len(listed_titles(last)) == 1

    not_a_number = client.get(index.url + "?page=abc")
    assert not_a_number.status_code == 200
    assert listed_titles(not_a_number.content.decode()) == listed_titles(first)


def test_a_filter_narrows_the_results_and_can_be_cleared(client, listing):
    index, _count = listing
    html = client.get(index.url + "?criterion=initial-contact&audience=senior-leaders").content
    html = html.decode()
    assert listed_titles(html) == set()
    assert "Audience: <strong>" in html and "Remove<span" in html
    assert f'href="{index.url}">Clear' in html
