"""Records of wrong passwords last as long as the privacy notice says: django-axes deletes those
past the lockout's cool-off only when someone next signs in, so beat does it as well.
(Expired sessions are portal.tasks' job.)"""

from axes.models import AccessAttempt
from django.conf import settings
from django.utils import timezone


def forget_expired_lockouts(now=None):
    now = now or timezone.now()
    deleted, _ = AccessAttempt.objects.filter(
        attempt_time__lt=now - settings.AXES_COOLOFF_TIME
    ).delete()
    return deleted
