"""GOV.UK pagination: which page numbers a listing's pagination shows."""

from django import template

register = template.Library()


@register.simple_tag
def page_links(page_obj):
    """The page numbers to show, in order, with None for an ellipsis: the first and last
    pages and those next to the current one. An ellipsis never stands for a single page
    (that page is shown instead).

    Worked out here rather than by looping over the paginator's page_range in the template:
    a listing of 100,000 practice pages has 5,000 pages, and testing each in the template took
    longer than the rest of the page."""
    current, last = page_obj.number, page_obj.paginator.num_pages
    near = range(max(1, current - 2), min(last, current + 2) + 1)
    links = []
    for number in sorted({1, last, *near}):
        if abs(number - current) <= 1 or number in (1, 2, last - 1, last):
            links.append(number)
        else:  # two away from the current page, with more than one page behind it
            links.append(None)
    return links
