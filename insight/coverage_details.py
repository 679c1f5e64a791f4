"""What lies behind one cell of the coverage grid: the force's live case studies for the
criterion, its unresolved recommendations under it, and the criterion's events in the period
that the force's staff attended (counts under 5 hidden)."""

from django.db.models import Count, Q
from django.urls import reverse

from events.models import EventPage
from inspections.models import Recommendation
from practice.models import PracticePage

from .rollups import day_bounds
from .suppression import people


def lists(force, criterion, context):
    practice = (
        PracticePage.objects.live()
        .filter(force__slug=force, criteria__slug=criterion)
        .order_by("-published_date")
        .values_list("pk", "title", "published_date")
    )
    recommendations = (
        Recommendation.objects.unresolved()
        .filter(owner__slug=force, criterion__slug=criterion)
        .select_related("report")
        .order_by("due_date", "pk")
    )
    start, end = day_bounds(context.period.first, context.period.last)
    events = (
        EventPage.objects.filter(criteria__slug=criterion, start__gte=start, start__lt=end)
        .annotate(
            attended=Count(
                "registrations",
                filter=Q(registrations__attended=True, registrations__organisation__slug=force),
            )
        )
        .filter(attended__gt=0)
        .order_by("start")
        .values_list("title", "start", "attended")
    )
    return {
        "practice": [
            (title, published, reverse("wagtailadmin_pages:edit", args=[pk]))
            for pk, title, published in practice
        ],
        "recommendations": [
            (rec, bool(rec.due_date and rec.due_date < context.today)) for rec in recommendations
        ],
        "events": [(title, start, people(n, True)) for title, start, n in events],
    }
