"""Search demand: searches and searches that found nothing per day, per query and per the
criterion each query most likely belongs to. Reads both the search log and its daily roll-up
(search.analytics), where each search is counted exactly once."""

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from search.models import SearchQuery, SearchQueryDay

from .. import dimensions as dims
from ..classify import CriterionGuesser


def collect(figures, first_day, last_day, start, end):
    tz = timezone.get_current_timezone()
    entries = (
        SearchQuery.objects.filter(created_at__gte=start, created_at__lt=end)
        .order_by()
        .values_list(TruncDate("created_at", tzinfo=tz), "query")
        .annotate(n=Count("pk"), zero=Count("pk", filter=Q(result_count=0)))
    )
    days = (
        SearchQueryDay.objects.filter(day__gte=first_day, day__lte=last_day)
        .order_by()
        .values_list("day", "query")
        .annotate(n=Sum("searches"), zero=Sum("zero_results"))
    )
    guess = CriterionGuesser()
    for rows in (entries, days):
        for day, query, n, zero in rows.iterator(chunk_size=5000):
            found = [dims.TOTAL, dims.criterion(guess(query) if query else "")]
            figures.add("search.searches", day, found, n)
            figures.add("search.zero", day, found, zero)
            if query:
                figures["search.query", day, f"q:{query}"] += n
                figures["search.query_zero", day, f"q:{query}"] += zero
                figures["search.query_found", day, f"q:{query}"] += n - zero


def snapshot(figures, today):
    """Search has no stocks."""
