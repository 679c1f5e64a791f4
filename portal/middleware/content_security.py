"""One Content-Security-Policy for the public site, one for the Wagtail admin, one for previews.

django-csp's middleware sends CONTENT_SECURITY_POLICY (the public site's). This subclass, in its
place in MIDDLEWARE, picks another policy by what the request is, through the extension point
django-csp documents (get_policy_parts):

- the Wagtail admin (ADMIN_URL_PREFIX) gets ADMIN_CONTENT_SECURITY_POLICY: Wagtail's admin has
  inline styles and a few inline scripts (inline panels, date pickers), so it allows those, but
  still loads nothing from anywhere but the site itself, and no other site may frame it;
- a preview gets PREVIEW_CONTENT_SECURITY_POLICY: the public page as the public sees it, but
  framable by the site itself (the editor's preview panel is an iframe on the same origin) and
  with inline styles, which newsletter emails are made of. Wagtail renders a preview by passing
  a "dummy" request for the page's public URL through the whole middleware chain
  (PreviewableMixin.make_preview_request), so a preview is recognised by that request;
- admin views that the editor itself frames (ADMIN_FRAMED_URL_NAMES: the preview views' own
  answers, such as "preview not available", and StreamField block previews) get the admin
  policy, framable by the site itself.

Framable answers also get X-Frame-Options SAMEORIGIN instead of DENY. A view's own csp_*
decorator still wins over all of these.
"""

from csp.constants import SELF
from csp.middleware import CSPMiddleware
from django.conf import settings


class PolicyByPathMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if report_only or parts.config is not None:
            return parts
        if is_preview(request):
            parts.config = settings.PREVIEW_CONTENT_SECURITY_POLICY["DIRECTIVES"]
        elif is_admin(request):
            parts.config = settings.ADMIN_CONTENT_SECURITY_POLICY["DIRECTIVES"]
            if is_framed_by_admin(request):
                parts.replace = {"frame-ancestors": [SELF], **(parts.replace or {})}
        return parts

    def process_response(self, request, response):
        if is_preview(request) or is_framed_by_admin(request):
            # XFrameOptionsMiddleware, which sees the answer after this one, keeps a value set.
            response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        return super().process_response(request, response)


def is_preview(request):
    return getattr(request, "is_dummy", False) and getattr(request, "is_preview", False)


def is_admin(request):
    return request.path_info.startswith(settings.ADMIN_URL_PREFIX)


def is_framed_by_admin(request):
    match = getattr(request, "resolver_match", None)
    return (
        is_admin(request)
        and match is not None
        and match.url_name in settings.ADMIN_FRAMED_URL_NAMES
    )
