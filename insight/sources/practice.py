"""Practice: views (once per visitor a day), contact-the-originator messages and submissions
per page, force and criterion; what each force has shared; and the recommendations register,
whose open and overdue counts are stocks recorded each day."""

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone
from wagtail.models import WorkflowState

from inspections.models import Recommendation
from practice.models import ContactMessage, PracticePage
from practice.moderation import PRACTICE_WORKFLOW
from search.models import PageViewVisit

from .. import dimensions as dims


class PracticeDimensions:
    """The dimensions a practice page's figures are counted under: the total, the page, its
    force and its criteria."""

    def __init__(self, page_ids):
        forces = dims.force_slugs_by_id()
        self.found = {}
        pages = PracticePage.objects.filter(pk__in=set(page_ids)).values_list("pk", "force_id")
        for pk, force_id in pages:
            self.found[pk] = [dims.TOTAL, f"page:{pk}"]
            if force_id in forces:
                self.found[pk].append(dims.force(forces[force_id]))
        through = PracticePage.criteria.through.objects.filter(practicepage_id__in=self.found)
        for pk, slug in through.values_list("practicepage_id", "criterion__slug"):
            self.found[pk].append(dims.criterion(slug))

    def __call__(self, page_id):
        # Views of other pages (events, the home page) are not practice views.
        return self.found.get(page_id, [])


def collect(figures, first_day, last_day, start, end):
    tz = timezone.get_current_timezone()
    views = list(
        PageViewVisit.objects.filter(day__gte=first_day, day__lte=last_day)
        .order_by()
        .values_list("day", "page_id")
        .annotate(n=Count("pk"))
    )
    contacts = list(
        ContactMessage.objects.filter(created_at__gte=start, created_at__lt=end)
        .order_by()
        .values_list(TruncDate("created_at", tzinfo=tz), "page_id")
        .annotate(n=Count("pk"))
    )
    submitted = list(
        WorkflowState.objects.filter(
            workflow__name=PRACTICE_WORKFLOW, created_at__gte=start, created_at__lt=end
        )
        .order_by()
        .values_list(TruncDate("created_at", tzinfo=tz), "object_id")
        .annotate(n=Count("pk"))
    )
    submitted = [(day, int(pk), n) for day, pk, n in submitted if str(pk).isdigit()]
    found = PracticeDimensions(
        [row[1] for row in views] + [row[1] for row in contacts] + [row[1] for row in submitted]
    )
    for metric, rows in [
        ("practice.views", views),
        ("practice.contacts", contacts),
        ("practice.submissions", submitted),
    ]:
        for day, page_id, n in rows:
            figures.add(metric, day, found(page_id), n)


def snapshot(figures, today):
    forces = dims.force_slugs_by_id()
    live = PracticePage.objects.live().order_by()
    for force_id in live.values_list("force_id", flat=True):
        if force_id in forces:
            figures.add("practice.shared", today, [dims.force(forces[force_id])])
    figures["practice.shared", today, dims.TOTAL] = live.count()
    through = PracticePage.criteria.through.objects.filter(practicepage__in=live)
    for force_id, slug in through.values_list("practicepage__force_id", "criterion__slug"):
        if force_id in forces:
            figures.add("practice.shared", today, [dims.pair(forces[force_id], slug)])

    unresolved = Recommendation.objects.unresolved().order_by()
    for metric, rows in [
        ("recommendations.open", unresolved),
        ("recommendations.overdue", unresolved.overdue(today)),
    ]:
        for force_id, slug, n in (
            rows.values_list("owner_id", "criterion__slug").annotate(n=Count("pk")).order_by()
        ):
            found = [dims.TOTAL]
            if force_id in forces:
                found += [dims.force(forces[force_id]), dims.pair(forces[force_id], slug)]
            figures.add(metric, today, found, n)
