"""Rate limits on top of django-ratelimit, with the wait a refused visitor is told.

`is_ratelimited` takes the same arguments as django-ratelimit's and also remembers, on the
request, how many seconds remain until the limit resets: portal.middleware.retry_after puts that
in the Retry-After header of the 429 answer. Limits keyed on "ip" count the visitor's address as
portal.client_address finds it (RATELIMIT_IP_META_KEY).

`limit_posts` wraps views the portal does not own (Wagtail's password reset and its page and
document password forms) in the same kind of limit.
"""

from functools import wraps

from django.template.response import TemplateResponse
from django_ratelimit import ALL
from django_ratelimit.core import get_usage

RETRY_AFTER_ATTRIBUTE = "retry_after"


def is_ratelimited(request, group=None, fn=None, key=None, rate=None, method=ALL, increment=False):
    """django_ratelimit.core.is_ratelimited, remembering the wait when the answer is yes."""
    usage = get_usage(request, group, fn, key, rate, method, increment)
    if usage is None or not usage["should_limit"]:
        return False
    _remember_wait(request, usage)
    return True


def too_many_requests(request):
    """The GOV.UK-styled 429 page; RetryAfterMiddleware adds the Retry-After header."""
    return TemplateResponse(request, "429.html", status=429)


def limit_posts(group, limits, counts=lambda response: True):
    """Limit POSTs to a view the portal does not own.

    `limits` maps a name to a (key, rate) pair of django-ratelimit; each is counted apart, and
    a request over any of them gets the 429 page without reaching the view. `counts(response)`
    says whether an answered request uses up the allowance, so that a limit on password
    guesses counts only the wrong ones.
    """

    def decorator(view):
        @wraps(view)
        def limited(request, *args, **kwargs):
            if request.method != "POST":
                return view(request, *args, **kwargs)
            for name, (key, rate) in limits.items():
                usage = get_usage(request, f"{group}:{name}", key=key, rate=rate)
                if usage is not None and usage["count"] >= usage["limit"]:
                    _remember_wait(request, usage)
                    return too_many_requests(request)
            response = view(request, *args, **kwargs)
            if counts(response):
                for name, (key, rate) in limits.items():
                    get_usage(request, f"{group}:{name}", key=key, rate=rate, increment=True)
            return response

        return limited

    return decorator


def _remember_wait(request, usage):
    # time_left is negative when the cache could not count: the middleware's default applies.
    if usage["time_left"] > 0:
        waits = [getattr(request, RETRY_AFTER_ATTRIBUTE, 0), usage["time_left"]]
        setattr(request, RETRY_AFTER_ATTRIBUTE, max(waits))
