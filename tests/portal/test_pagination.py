"""GOV.UK pagination on every listing: the first and last pages, those next to the current one,
and an ellipsis for the rest, never standing for a single page."""

import pytest
from django.core.paginator import Paginator
from django.template import RequestContext, Template
from django.test import RequestFactory

from portal.templatetags.pagination_tags import page_links


def links(current, last):
    return page_links(Paginator(range(last), 1).page(current))


@pytest.mark.parametrize(
    ("current", "last", "expected"),
    [
        (1, 2, [1, 2]),
        (1, 5, [1, 2, None, 5]),
        (3, 5, [1, 2, 3, 4, 5]),
        (4, 9, [1, 2, 3, 4, 5, None, 9]),
        (5, 9, [1, None, 4, 5, 6, None, 9]),
        (9, 9, [1, None, 8, 9]),
        # 5,000 pages: only the pages shown are worked out.
        (2500, 5000, [1, None, 2499, 2500, 2501, None, 5000]),
    ],
)
def test_pages_shown(current, last, expected):
    assert links(current, last) == expected


def test_the_listing_links_the_pages_and_keeps_its_filters():
    page_obj = Paginator(range(100_000), 20).page(7)
    request = RequestFactory().get("/practice/", {"theme": "training", "page": "7"})
    html = Template('{% include "portal/_pagination.html" %}').render(
        RequestContext(request, {"page_obj": page_obj})
    )
    assert 'aria-label="Page 7" aria-current="page"' in html
    for number in (1, 6, 8, 5000):
        assert f'href="?theme=training&amp;page={number}"' in html
    assert 'aria-label="Page 5"' not in html
    assert html.count("govuk-pagination__item--ellipsis") == 2
