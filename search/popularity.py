"""Counting practice page views for "most viewed": once per visitor a day, and only views of
pages the visitor was allowed to see (counted after Wagtail's privacy check)."""

import hashlib
import hmac

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from portal.client_address import client_ip

from .models import PageViewCount, PageViewVisit


def visitor_key(request, day):
    """A keyed hash of who is asking, with a key that changes every day: the same visitor
    gives the same key all day and an unrelated one the next day."""
    user = request.user
    who = (
        f"user:{user.pk}"
        if user.is_authenticated
        else f"{client_ip(request)}|{request.META.get('HTTP_USER_AGENT', '')}"
    )
    key = hmac.new(settings.SECRET_KEY.encode(), f"views:{day}".encode(), hashlib.sha256)
    return hmac.new(key.digest(), who.encode(), hashlib.sha256).hexdigest()[:32]


def may_see(page, request):
    """Wagtail's own check of the page's view restrictions for this request."""
    return all(r.accept_request(request) for r in page.get_view_restrictions())


def count_view(page, request):
    """Count this view if the visitor may see the page and has not been counted today."""
    if not may_see(page, request):
        return False
    day = timezone.localdate()
    with transaction.atomic():
        _visit, first = PageViewVisit.objects.get_or_create(
            page_id=page.pk, day=day, visitor=visitor_key(request, day)
        )
    if not first:
        return False
    if not PageViewCount.objects.filter(page_id=page.pk).update(views=F("views") + 1):
        try:
            with transaction.atomic():
                PageViewCount.objects.create(page_id=page.pk, views=1)
        except IntegrityError:
            # Another request created the row first: count this view on it.
            PageViewCount.objects.filter(page_id=page.pk).update(views=F("views") + 1)
    return True


def forget_visits(before=None):
    """Delete the visits of days that are over: only today's are needed to count once."""
    before = before or timezone.localdate()
    deleted, _ = PageViewVisit.objects.filter(day__lt=before).delete()
    return deleted
