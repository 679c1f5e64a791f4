"""GOV.UK pagination: which page numbers a listing's pagination shows."""

from django import template

register = template.Library()


@register.simple_tag
def page_links(page_obj):
    """The page numbers to show, in order, with None for an ellipsis: the first and last pages
    and those next to the current one (Django's elided page range, which never lets an ellipsis
    stand for a single page and works out only the pages shown, however many there are)."""
    paginator = page_obj.paginator
    return [
        None if number == paginator.ELLIPSIS else number
        for number in paginator.get_elided_page_range(page_obj.number, on_each_side=1, on_ends=1)
    ]
