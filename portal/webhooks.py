"""The email provider's tracking webhook: the one URL through which bounces and complaints
suppress subscribers (newsletters.alerts.on_tracking_event).

Only the configured provider's (EMAIL_PROVIDER) tracking webhook is mounted, and it answers only
while django-anymail has a WEBHOOK_SECRET to demand as HTTP basic auth (production settings
refuse to start without one, and add the provider's own signing key where django-anymail checks
one). Without a secret django-anymail would accept anyone's post with a warning, and one post
can stop the portal's email to any address for good: so there is then no webhook at all.
"""

from functools import wraps

from anymail import urls as anymail_urls
from django.conf import settings
from django.http import Http404
from django.urls import path


def tracking_webhook_urlpatterns(provider=None):
    """URL patterns for the provider's tracking webhook (include them in namespace "anymail")."""
    provider = provider or settings.EMAIL_PROVIDER
    name = f"{provider}_tracking_webhook"
    return [
        path(str(pattern.pattern), require_webhook_secret(pattern.callback), name=name)
        for pattern in anymail_urls.urlpatterns
        if pattern.name == name
    ]


def require_webhook_secret(view):
    @wraps(view)
    def guarded(request, *args, **kwargs):
        if not getattr(settings, "ANYMAIL", {}).get("WEBHOOK_SECRET"):
            raise Http404("No email provider webhook is configured")
        return view(request, *args, **kwargs)

    return guarded
