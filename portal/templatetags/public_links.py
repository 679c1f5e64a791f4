"""Absolute links in emails and other things read away from the site (portal/links.py)."""

from django import template

from portal import links

register = template.Library()


@register.filter
def page_url(page):
    """{{ page|page_url }}: the page's absolute public URL."""
    return links.page_url(page)


@register.filter
def public_url(path):
    """{{ "/some/path/"|public_url }}: a site path as an absolute public URL."""
    return links.public_url(str(path))
