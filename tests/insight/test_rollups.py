"""The daily figures match counts made directly on the raw rows of a generated data set."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.utils import timezone

from events.models import Feedback, Registration
from insight import rollups
from insight.models import DailyMetric
from insight.periods import Period
from insight.reading import PeriodFigures
from insight.tasks import refresh_insight
from newsletters.models import Subscriber
from practice.models import ContactMessage
from search.models import PageViewVisit, SearchQuery, SearchQueryDay

from .conftest import DOMAINS

pytestmark = pytest.mark.django_db


def _bounds(period):
    return rollups.day_bounds(period.first, period.last)


def _force_of(email):
    domain = email.rpartition("@")[2]
    return next((s for s, d in DOMAINS.items() if domain == d or domain.endswith("." + d)), None)


@pytest.fixture
def rolled_up(dataset):
    call_command("rebuild_insight", days=150, verbosity=0)
    return dataset


@pytest.mark.parametrize("days", [7, 30, 130])
def test_period_totals_match_the_raw_rows(rolled_up, days):
    today = timezone.localdate()
    period = Period("custom", today - dt.timedelta(days=days - 1), today)
    start, end = _bounds(period)
    figures = PeriodFigures(period)

    made = Registration.objects.filter(created_at__gte=start, created_at__lt=end)
    assert figures.total("registrations.created") == made.count()
    held = Registration.objects.filter(event__start__gte=start, event__start__lt=end)
    assert figures.total("registrations.attended") == held.filter(attended=True).count()
    assert figures.total("registrations.no_show") == held.filter(attended=False).count()
    started = held.filter(event__start__lte=timezone.now(), status="waitlisted")
    assert figures.total("waitlist.unmet") == started.count()
    for slug, force in rolled_up["forces"].items():
        assert (
            figures.total("registrations.created", f"force:{slug}")
            == made.filter(organisation=force).count()
        )
        assert (
            figures.total("registrations.attended", f"force:{slug}")
            == held.filter(organisation=force, attended=True).count()
        )
    partner = rolled_up["partner"]
    assert not any(key[1] == f"force:{partner.slug}" for key in figures.sums)

    feedback = Feedback.objects.filter(created_at__gte=start, created_at__lt=end)
    assert figures.total("feedback.responses") == feedback.count()
    assert figures.total("feedback.score") == (feedback.aggregate(s=Sum("usefulness"))["s"] or 0)

    confirmed = Subscriber.objects.filter(confirmed_at__gte=start, confirmed_at__lt=end)
    assert figures.total("subscribers.confirmed") == confirmed.count()
    for slug in DOMAINS:
        expected = sum(1 for s in confirmed if _force_of(s.email) == slug)
        assert figures.total("subscribers.confirmed", f"force:{slug}") == expected

    searches = SearchQuery.objects.filter(created_at__gte=start, created_at__lt=end)
    days_rows = SearchQueryDay.objects.filter(day__gte=period.first, day__lte=period.last)
    rolled = days_rows.aggregate(n=Sum("searches"), z=Sum("zero_results"))
    assert figures.total("search.searches") == searches.count() + (rolled["n"] or 0)
    assert figures.total("search.zero") == (
        searches.filter(result_count=0).count() + (rolled["z"] or 0)
    )

    views = PageViewVisit.objects.filter(day__gte=period.first, day__lte=period.last)
    assert figures.total("practice.views") == views.count()
    for page in rolled_up["pages"]:
        assert (
            figures.total("practice.views", f"page:{page.pk}")
            == views.filter(page_id=page.pk).count()
        )
    contacts = ContactMessage.objects.filter(created_at__gte=start, created_at__lt=end)
    assert figures.total("practice.contacts") == contacts.count()


def test_snapshots_match_the_raw_rows(rolled_up):
    today = timezone.localdate()
    figures = PeriodFigures(Period("last-30-days", today - dt.timedelta(days=29), today))
    active = Subscriber.objects.filter(status="active")
    assert figures.total("subscribers.active") == active.count()
    for slug in DOMAINS:
        expected = sum(1 for s in active if _force_of(s.email) == slug)
        assert figures.total("subscribers.active", f"force:{slug}") == expected
    assert (
        figures.total("subscribers.suppressed")
        == Subscriber.objects.filter(status="suppressed").count()
    )
    assert figures.total("practice.shared", "force:kent-police") == 2


def test_the_hourly_task_recounts_recent_days_and_keeps_views_whose_visits_are_gone(rolled_up):
    today = timezone.localdate()
    before = PeriodFigures(Period("custom", today, today)).total("practice.views")
    assert before > 0
    # The daily clean-up deletes visits of days that are over; today's too, here, to show that a
    # recount never lowers a figure whose raw rows have gone.
    PageViewVisit.objects.all().delete()
    Registration.objects.filter(created_at__date__gte=today - dt.timedelta(days=1)).delete()
    refresh_insight.apply()
    after = PeriodFigures(Period("custom", today, today))
    assert after.total("practice.views") == before
    made_today = Registration.objects.filter(created_at__gte=rollups.day_bounds(today, today)[0])
    assert after.total("registrations.created") == made_today.count()


def test_rebuilding_twice_writes_the_same_figures(rolled_up):
    first = set(DailyMetric.objects.values_list("metric", "day", "dimension", "value"))
    call_command("rebuild_insight", days=150, verbosity=0)
    assert set(DailyMetric.objects.values_list("metric", "day", "dimension", "value")) == first
