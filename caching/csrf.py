"""CSRF protection for the public forms on shared pages, without a token.

A page that anyone may be given from a shared cache cannot carry a token of its own visitor's
(Django's CSRF token is tied to a cookie), so its forms have none: registering for an event,
contacting a case study's originator (posted to the Wagtail page) and subscribing. None of
them acts for a signed-in account. Their posts are checked by where they come from instead
(OWASP's "verifying origin with standard headers"): a browser says which site a form was posted
from (Sec-Fetch-Site, Origin, or at least Referer), and a post from another site is refused, as
Django refuses a post without its token. A client that is not a browser sends none of those
headers and gets nothing a CSRF attack could: it can post the form itself.

Every other form keeps Django's token check.
"""

from urllib.parse import urlsplit

from django.middleware.csrf import CsrfViewMiddleware

# Views (by resolver view name) whose form is on a shared page.
PUBLIC_FORM_VIEWS = {"wagtail_serve", "events:register", "newsletters:subscribe"}
SAME_SITE_FETCHES = {"same-origin", "none"}


class PublicFormCsrfMiddleware:
    """Placed just before Django's CsrfViewMiddleware, which stays in charge of every other
    form: a public form's post from this site is marked as checked (Django's middleware then
    skips its token check), and one from another site is refused as Django would refuse it."""

    def __init__(self, get_response):
        self.get_response = get_response
        # Django's own middleware, for its origin rules and its refusal page.
        self.django = CsrfViewMiddleware(get_response)

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, callback, callback_args, callback_kwargs):
        match = request.resolver_match
        if (
            request.method == "POST"
            and match is not None
            and match.view_name in PUBLIC_FORM_VIEWS
            and not getattr(callback, "csrf_exempt", False)
        ):
            reason = self._cross_site(request)
            if reason:
                return self.django._reject(request, reason)
            request.csrf_processing_done = True
        return None

    def _cross_site(self, request):
        fetch = request.META.get("HTTP_SEC_FETCH_SITE")
        if fetch and fetch not in SAME_SITE_FETCHES:
            return f"Form posted from another site (Sec-Fetch-Site: {fetch})."
        if "HTTP_ORIGIN" in request.META:
            if not self.django._origin_verified(request):
                return f"Origin checking failed - {request.META['HTTP_ORIGIN']} does not match."
            return None
        referer = request.META.get("HTTP_REFERER")
        if referer:
            parts = urlsplit(referer)
            origin = f"{parts.scheme}://{parts.netloc}"
            own = f"{request.scheme}://{request.get_host()}"
            if origin != own and origin not in self.django.allowed_origins_exact:
                return "Referer checking failed - the form was posted from another site."
        return None
