"""Making a mailing and its delivery rows (an issue's recipients, an alert's or a digest's
subscribers), counting its progress, and closing it once every row is settled. Each is safe to
run twice: mailings are found by their unique key and rows are unique per mailing and
subscriber. Starting the chunk tasks that send the rows is left to the caller (tasks.dispatch)."""

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from . import matching
from .models import Delivery, Mailing, NewsletterIssue, SentItem, Subscriber, Subscription

# Subscriber ids read and delivery rows written per round trip when preparing an issue: keeps
# memory flat however many subscribers there are.
PREPARE_BATCH = 2000
DIGEST_WINDOWS = {
    # A day's slack on each window covers a late beat; SentItem stops any overlap repeating.
    Subscription.Frequency.WEEKLY: dt.timedelta(days=8),
    Subscription.Frequency.MONTHLY: dt.timedelta(days=32),
}


def issue_recipients(issue):
    recipients = Subscriber.objects.filter(status=Subscriber.Status.ACTIVE)
    if issue.organisation_type:
        recipients = recipients.filter(organisation_type=issue.organisation_type)
    topics = Q()
    criteria = list(issue.segment_criteria.values_list("pk", flat=True))
    themes = list(issue.segment_themes.values_list("pk", flat=True))
    audiences = list(issue.segment_audiences.values_list("pk", flat=True))
    if criteria:
        topics |= Q(kind=Subscription.Kind.CRITERION, criterion__in=criteria)
    if themes:
        topics |= Q(kind=Subscription.Kind.THEME, theme__in=themes)
    if audiences:
        topics |= Q(kind=Subscription.Kind.AUDIENCE, audience__in=audiences)
    if topics:
        following = Subscription.objects.filter(topics, active=True).values("subscriber_id")
        recipients = recipients.filter(pk__in=following)
    return recipients


def prepare_issue(issue_id):
    """An issue's mailing with one delivery row per recipient; its id, or None for an issue
    that no longer exists. Run twice, it finds the mailing and the rows already made."""
    issue = NewsletterIssue.objects.filter(pk=issue_id).first()
    if issue is None:
        return None
    mailing = Mailing.objects.filter(key=f"issue:{issue.pk}").first()
    if mailing is None:
        mailing, _ = Mailing.objects.get_or_create(
            key=f"issue:{issue.pk}",
            defaults={
                "kind": Mailing.Kind.ISSUE,
                "issue": issue,
                "subject": issue.title,
                "body": issue.body.get_prep_value(),
            },
        )
    if mailing.prepared_at is None:
        ids = issue_recipients(issue).order_by("pk").values_list("pk", flat=True)
        batch = []
        for subscriber_id in ids.iterator(chunk_size=PREPARE_BATCH):
            batch.append(Delivery(mailing=mailing, subscriber_id=subscriber_id))
            if len(batch) >= PREPARE_BATCH:
                Delivery.objects.bulk_create(batch, ignore_conflicts=True)
                batch = []
        Delivery.objects.bulk_create(batch, ignore_conflicts=True)
        Mailing.objects.filter(pk=mailing.pk).update(prepared_at=timezone.now())
    return mailing.pk


def prepare_alert(page_id):
    """(mailing id or None, rows made) for an alert about a newly published page to every
    subscriber with a matching "as it happens" subscription: one row each however many of
    their subscriptions match. No mailing when the page is gone or everyone has heard of it."""
    from wagtail.models import Page

    page = Page.objects.live().public().filter(pk=page_id).first()
    if page is None:
        return None, 0
    page = page.specific
    subscriber_ids = matching.subscriber_ids_for_page(page, Subscription.Frequency.IMMEDIATE)
    told = set(
        SentItem.objects.filter(page_id=page.pk, subscriber_id__in=subscriber_ids).values_list(
            "subscriber_id", flat=True
        )
    )
    fresh = subscriber_ids - told
    if not fresh:
        return None, 0
    # One mailing per published revision: a retried task finds it, a republish makes a new one
    # that reaches only people who have not heard of the page yet.
    mailing, _ = Mailing.objects.get_or_create(
        key=f"alert:{page.pk}:{page.live_revision_id}",
        defaults={"kind": Mailing.Kind.ALERT, "subject": page.title},
    )
    created = create_deliveries(mailing, {pk: [page.pk] for pk in fresh})
    Mailing.objects.filter(pk=mailing.pk).update(prepared_at=timezone.now())
    return mailing.pk, created


def digest_key(frequency, now):
    local = timezone.localtime(now)
    if frequency == Subscription.Frequency.WEEKLY:
        year, week, _ = local.isocalendar()
        return f"digest:weekly:{year}-W{week:02d}"
    return f"digest:monthly:{local:%Y-%m}"


def prepare_digest(frequency):
    """(mailing id or None, rows made) for one digest per subscriber merging every subscription
    of that frequency. Subscribers with nothing new get nothing; with nobody to tell, no
    mailing."""
    from events.models import EventPage
    from practice.models import PracticePage

    now = timezone.now()
    since = now - DIGEST_WINDOWS[frequency]
    subscriber_pages = defaultdict(list)
    for model in (PracticePage, EventPage):
        pages = model.objects.live().public().filter(first_published_at__gte=since)
        for page in pages.order_by("first_published_at"):
            for subscriber_id in matching.subscriber_ids_for_page(page, frequency):
                subscriber_pages[subscriber_id].append(page.pk)
    if not subscriber_pages:
        return None, 0
    mailing, _ = Mailing.objects.get_or_create(
        key=digest_key(frequency, now),
        defaults={"kind": Mailing.Kind.DIGEST, "subject": f"{frequency.capitalize()} digest"},
    )
    created = create_deliveries(mailing, subscriber_pages)
    if created or mailing.deliveries.exists():
        Mailing.objects.filter(pk=mailing.pk).update(prepared_at=timezone.now())
        return mailing.pk, created
    mailing.delete()
    return None, created


def create_deliveries(mailing, subscriber_pages):
    """Delivery rows for {subscriber id: [page ids]} and the SentItems that stop those pages
    reaching the same people twice. Pages a subscriber was already told about are dropped;
    subscribers left with nothing get no row. Safe to run twice (unique constraints)."""
    if not subscriber_pages:
        return 0
    already = set(
        SentItem.objects.filter(subscriber_id__in=list(subscriber_pages)).values_list(
            "subscriber_id", "page_id"
        )
    )
    deliveries, items = [], []
    for subscriber_id, page_ids in subscriber_pages.items():
        fresh = [pk for pk in page_ids if (subscriber_id, pk) not in already]
        if not fresh:
            continue
        deliveries.append(Delivery(mailing=mailing, subscriber_id=subscriber_id, page_ids=fresh))
        items.extend(
            SentItem(subscriber_id=subscriber_id, page_id=pk, mailing=mailing) for pk in fresh
        )
    with transaction.atomic():
        Delivery.objects.bulk_create(deliveries, ignore_conflicts=True)
        SentItem.objects.bulk_create(items, ignore_conflicts=True)
    return len(deliveries)


def finish_if_done(mailing_id):
    """Mark the mailing (and its issue) complete once every row is settled."""
    mailing = Mailing.objects.filter(pk=mailing_id, completed_at__isnull=True).first()
    if mailing is None or mailing.prepared_at is None:
        return False
    if mailing.deliveries.filter(status=Delivery.Status.PENDING).exists():
        return False
    now = timezone.now()
    Mailing.objects.filter(pk=mailing_id, completed_at__isnull=True).update(completed_at=now)
    if mailing.issue_id:
        NewsletterIssue.objects.filter(pk=mailing.issue_id).exclude(
            status=NewsletterIssue.Status.SENT
        ).update(status=NewsletterIssue.Status.SENT, sent_at=now)
    return True


def progress(mailing_ids):
    """{mailing id: {"sent": n, "pending": n, "failed": n, "skipped": n}} in one query."""
    counts = {pk: dict.fromkeys(Delivery.Status.values, 0) for pk in mailing_ids}
    rows = (
        Delivery.objects.filter(mailing_id__in=mailing_ids)
        .values("mailing_id", "status")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        counts[row["mailing_id"]][row["status"]] = row["n"]
    return counts
