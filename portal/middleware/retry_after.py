"""Every 429 answer says when to come back (RFC 9110 §10.2.3, RFC 6585 §4)."""

from django.conf import settings

from portal.ratelimits import RETRY_AFTER_ATTRIBUTE


class RetryAfterMiddleware:
    """Adds Retry-After to 429 answers that lack one: the seconds until the limit that refused
    the request resets when portal.ratelimits knows them, else RATELIMIT_DEFAULT_RETRY_AFTER.
    Outermost of the portal's middleware, so it also sees the sign-in lockout's answer."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 429 and not response.has_header("Retry-After"):
            seconds = getattr(request, RETRY_AFTER_ATTRIBUTE, None)
            response["Retry-After"] = str(seconds or settings.RATELIMIT_DEFAULT_RETRY_AFTER)
        return response
