"""How long sign-in records last, as the privacy notice says: sessions are deleted once they
expire, and django-axes' records of wrong passwords once the lockout's cool-off has passed.
Django and django-axes only clear these when someone next signs in or runs a command."""

from importlib import import_module

from axes.models import AccessAttempt
from django.conf import settings
from django.utils import timezone


def forget_expired_sign_ins(now=None):
    now = now or timezone.now()
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
    attempts, _ = AccessAttempt.objects.filter(
        attempt_time__lt=now - settings.AXES_COOLOFF_TIME
    ).delete()
    return attempts
