"""Events: registrations (by the day they were made), attendance and no-shows and the waitlist
nobody left (by the day the event started), and feedback (by the day it was given)."""

from django.db.models import Count, Sum
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from events.models import EventPage, Feedback, Registration

from .. import dimensions as dims

# The job role, or for a registration whose role was an audience no job role stands for
# (Registration.role_audience), that audience: "role:<slug>" either way.
ROLE_SLUG = Coalesce("role__slug", "role_audience__slug")


def _criteria_by_event(event_ids):
    criteria = {}
    through = EventPage.criteria.through.objects.filter(eventpage_id__in=set(event_ids))
    for event_id, slug in through.values_list("eventpage_id", "criterion__slug"):
        criteria.setdefault(event_id, []).append(slug)
    return criteria


def _people(event_id, organisation_id, role_slug, forces, criteria, with_cells=False):
    force = forces.get(organisation_id)
    found = [dims.TOTAL, f"role:{role_slug}"]
    found += [dims.criterion(slug) for slug in criteria.get(event_id, [])]
    if force:
        found.append(dims.force(force))
        if with_cells:
            found += [dims.pair(force, slug) for slug in criteria.get(event_id, [])]
    return found


def collect(figures, first_day, last_day, start, end):
    forces = dims.force_slugs_by_id()
    tz = timezone.get_current_timezone()
    made = (
        Registration.objects.filter(created_at__gte=start, created_at__lt=end)
        .order_by()
        .values_list(TruncDate("created_at", tzinfo=tz), "event_id", "organisation_id", ROLE_SLUG)
        .annotate(n=Count("pk"))
    )
    made = list(made)
    held = (
        Registration.objects.filter(event__start__gte=start, event__start__lt=end)
        .order_by()
        .values_list(
            TruncDate("event__start", tzinfo=tz),
            "event_id",
            "organisation_id",
            ROLE_SLUG,
            "attended",
            "status",
        )
        .annotate(n=Count("pk"))
    )
    held = [row for row in held if row[4] is not None or row[5] == "waitlisted"]
    criteria = _criteria_by_event([row[1] for row in made] + [row[1] for row in held])
    for day, event_id, organisation_id, role, n in made:
        found = _people(event_id, organisation_id, role, forces, criteria)
        figures.add("registrations.created", day, found, n)
    now = timezone.now()
    started = set(
        EventPage.objects.filter(start__gte=start, start__lt=end, start__lte=now).values_list(
            "pk", flat=True
        )
    )
    for day, event_id, organisation_id, role, attended, status, n in held:
        found = _people(event_id, organisation_id, role, forces, criteria, with_cells=True)
        if attended is True:
            figures.add("registrations.attended", day, found, n)
        elif attended is False:
            figures.add("registrations.no_show", day, found, n)
        elif status == "waitlisted" and event_id in started:
            # Still waiting when the event began: wanted a seat and never got one.
            figures.add("waitlist.unmet", day, [*found, f"event:{event_id}"], n)

    given = (
        Feedback.objects.filter(created_at__gte=start, created_at__lt=end)
        .order_by()
        .values_list(TruncDate("created_at", tzinfo=tz), "registration__event_id")
        .annotate(n=Count("pk"), score=Sum("usefulness"))
    )
    given = list(given)
    criteria = _criteria_by_event([row[1] for row in given])
    for day, event_id, n, score in given:
        found = [dims.TOTAL, f"event:{event_id}"]
        found += [dims.criterion(slug) for slug in criteria.get(event_id, [])]
        figures.add("feedback.responses", day, found, n)
        figures.add("feedback.score", day, found, score)


def snapshot(figures, today):
    waiting = Registration.objects.filter(
        status=Registration.Status.WAITLISTED, event__start__gt=timezone.now()
    ).count()
    figures["waitlist.current", today, dims.TOTAL] = waiting
