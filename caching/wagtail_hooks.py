"""Records, for the page cache, who may see the Wagtail page being served."""

from wagtail import hooks

from portal.visibility import restriction_of


@hooks.register("before_serve_page")
def record_page_restriction(page, request, serve_args, serve_kwargs):
    request.page_restriction = restriction_of(page)
