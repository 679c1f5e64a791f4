"""System checks: settings the newsletters app cannot work with stop the site from starting."""

from django.core import checks

from . import throttle


@checks.register(checks.Tags.compatibility)
def check_send_rate(app_configs, **kwargs):
    problem = throttle.misconfiguration()
    if problem is None:
        return []
    return [
        checks.Error(
            problem,
            hint="Point REDIS_URL at Redis, or set NEWSLETTERS_RATE_PER_SECOND=0 where the mail "
            "provider has no rate limit.",
            id="newsletters.E001",
        )
    ]
