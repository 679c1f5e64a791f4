"""The service navigation: links to the listings, wherever editors put them in the page tree."""

from django import template
from django.urls import reverse
from wagtail.models import Page

from portal import navigation

register = template.Library()


@register.simple_tag(takes_context=True)
def service_navigation(context):
    """Each section as {label, url, current, active}: `current` on the listing itself, `active`
    on the listing and the pages below it. No query while the listings are cached."""
    request = context.get("request")
    here = context.get("page")
    links = []
    for label, pk, path, url in navigation.listings():
        current = isinstance(here, Page) and here.pk == pk
        active = isinstance(here, Page) and here.path.startswith(path)
        links.append({"label": label, "url": url, "current": current, "active": active})
    request_path = request.path if request else ""
    for label, name in navigation.VIEW_SECTIONS:
        url = reverse(name)
        links.append(
            {
                "label": label,
                "url": url,
                "current": request_path == url,
                "active": request_path.startswith(url),
            }
        )
    return links
