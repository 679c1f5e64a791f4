"""The search page, the as-you-type suggestions and the glossary page (the feed: feeds.py)."""

from django.core.paginator import Paginator
from django.http import JsonResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode

from portal.finder import Finder, Item, sort_choices
from portal.ratelimits import is_ratelimited

from . import facets, results_cache, service
from .backends.base import SORTS
from .forms import read_parameters, read_query
from .models import GlossaryTerm
from .service import MAX_PAGE

# Generous for people (a search a second), tight enough to stop scraping loops.
SEARCH_RATE = "120/m"
SUGGEST_RATE = "300/m"


def _limited(request, group, rate):
    return is_ratelimited(request, group=group, key="ip", rate=rate, method="GET", increment=True)


def _querystring(params, drop=None):
    """Query string of the current search without one (facet, value) and without the page."""
    pairs = [("q", params["query"])] if params["query"] else []
    for name, values in params["filters"].items():
        pairs += [(name, v) for v in values if (name, v) != drop]
    if params["sort"] != "relevance":
        pairs.append(("sort", params["sort"]))
    return urlencode(pairs)


def _items(hits):
    """Finder items for the hits, with each case study's outcome and evidence level (one
    query: the index does not hold their labels)."""
    from practice.models import PracticePage

    details = {
        row["pk"]: row
        for row in PracticePage.objects.filter(pk__in=[hit.page_id for hit in hits]).values(
            "pk", "outcome", "evidence_level__name"
        )
    }
    outcomes = dict(PracticePage.Outcome.choices)
    items = []
    for hit in hits:
        row = details.get(hit.page_id, {})
        outcome = row.get("outcome") or ""
        items.append(
            Item(
                title=hit.title,
                url=hit.url,
                summary=hit.summary,
                force=hit.force,
                published_date=hit.published_date,
                outcome=outcomes.get(outcome, ""),
                did_not_work=outcome == PracticePage.Outcome.DID_NOT_WORK,
                evidence=row.get("evidence_level__name") or "",
                highlight=hit.highlight,
            )
        )
    return items


def search_page(request):
    if _limited(request, "search-page", SEARCH_RATE):
        return TemplateResponse(request, "429.html", status=429)
    generation, entry = results_cache.lookup(request)
    if entry is not None:
        return results_cache.answer(request, entry)
    context = {}
    status = 200
    try:
        params = read_parameters(request.GET)
        results = service.search(user=request.user, **params)
    except (service.InvalidSearch, facets.InvalidFilter) as error:
        # A stale or edited link: say what is wrong and show everything matching the words
        # instead (or everything, when the words are what is wrong).
        context["error"] = str(error)
        bad_words = getattr(error, "field", None) == "q"
        params = {
            "query": "" if bad_words else request.GET.get("q", "")[:200],
            "filters": {},
            "sort": "relevance",
            "page": 1,
        }
        results = service.search(params["query"], user=request.user, log=False)
        status = 400
    active = []
    labels = {f.name: {o.value: o.label for o in f.options} for f in results.facets}
    for facet in facets.FACETS:
        for value in results.filters.get(facet.name, []):
            active.append(
                (
                    facet.label,
                    labels[facet.name].get(value, value),
                    _querystring(params, drop=(facet.name, value)),
                )
            )
    # The shared pagination partial wants a Django page; a range costs nothing to paginate.
    pages = Paginator(range(min(results.count, MAX_PAGE * results.per_page)), results.per_page)
    context["page_obj"] = pages.get_page(results.page)
    context["finder"] = Finder(
        url=reverse("search:search"),
        query=results.query,
        facets=results.facets,
        sorts=sort_choices(SORTS),
        sort=results.sort,
        count=results.count,
        items=_items(results.hits),
        active_filters=active,
        filter_pairs=[(n, v) for n, values in results.filters.items() for v in values],
        num_pages=results.num_pages,
        count_approximate=results.count_approximate,
        facets_approximate=results.facets_approximate,
        suggestion=results.suggestion,
    )
    response = TemplateResponse(request, "search/search_page.html", context, status=status)
    results_cache.keep(request, response, generation, results.logged)
    return response


def suggest(request):
    if _limited(request, "search-suggest", SUGGEST_RATE):
        return JsonResponse({"detail": "Too many requests; try again in a minute."}, status=429)
    try:
        query = read_query(request.GET)
    except service.InvalidSearch as error:
        return JsonResponse({"detail": str(error)}, status=400)
    return JsonResponse(service.suggest(query, user=request.user))


def glossary_page(request):
    terms = GlossaryTerm.objects.order_by("term")
    return TemplateResponse(request, "search/glossary_page.html", {"terms": terms})
