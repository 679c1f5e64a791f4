"""The search page, its Atom feed, the as-you-type suggestions and the glossary page."""

from django.contrib.syndication.views import Feed
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.template.response import TemplateResponse
from django.utils.feedgenerator import Atom1Feed
from django.utils.http import urlencode

from portal.ratelimits import is_ratelimited

from . import facets, service
from .forms import read_parameters, read_query
from .models import GlossaryTerm
from .service import MAX_PAGE

# Generous for people (a search a second), tight enough to stop scraping loops.
SEARCH_RATE = "120/m"
SUGGEST_RATE = "300/m"
FEED_ITEMS = 20


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


def search_page(request):
    if _limited(request, "search-page", SEARCH_RATE):
        return TemplateResponse(request, "429.html", status=429)
    context = {
        "sorts": [("relevance", "Relevance"), ("newest", "Newest"), ("most-viewed", "Most viewed")]
    }
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
                {
                    "label": facet.label,
                    "value": labels[facet.name].get(value, value),
                    "remove": _querystring(params, drop=(facet.name, value)),
                }
            )
    # The shared pagination partial wants a Django page; a range costs nothing to paginate.
    pages = Paginator(range(min(results.count, MAX_PAGE * results.per_page)), results.per_page)
    context.update(
        page_obj=pages.get_page(results.page),
        results=results,
        params=params,
        active_filters=active,
        feed_query=_querystring(params),
        clear_query=urlencode([("q", params["query"])]) if params["query"] else "",
        suggestion_query=urlencode([("q", results.suggestion)]) if results.suggestion else "",
    )
    return TemplateResponse(request, "search/search_page.html", context, status=status)


def suggest(request):
    if _limited(request, "search-suggest", SUGGEST_RATE):
        return JsonResponse({"detail": "Too many requests; try again in a minute."}, status=429)
    try:
        query = read_query(request.GET)
    except service.InvalidSearch as error:
        return JsonResponse({"detail": str(error)}, status=400)
    return JsonResponse(service.suggest(query, user=request.user))


class SearchFeed(Feed):
    """An Atom feed of any filtered search, newest first. Public content only: feed readers
    fetch without the reader's session, and a feed URL gets shared."""

    feed_type = Atom1Feed
    description_template = None

    def get_object(self, request):
        params = read_parameters(request.GET)
        self.request = request
        self.params = params
        return service.search(
            params["query"],
            params["filters"],
            sort="newest",
            page=1,
            user=None,
            per_page=FEED_ITEMS,
            log=False,
        )

    def __call__(self, request, *args, **kwargs):
        try:
            return super().__call__(request, *args, **kwargs)
        except (service.InvalidSearch, facets.InvalidFilter) as error:
            return TemplateResponse(
                request, "search/feed_error.html", {"error": str(error)}, status=400
            )

    def title(self, obj):
        described = f' for "{obj.query}"' if obj.query else ""
        return f"Notable practice{described} – Safeguarding Practice Exchange"

    def link(self, obj):
        query = _querystring(self.params)
        return "/search/" + (f"?{query}" if query else "")

    def subtitle(self, obj):
        return "New notable practice matching this search."

    def items(self, obj):
        return obj.hits

    def item_title(self, hit):
        return hit.title

    def item_description(self, hit):
        return hit.summary

    def item_link(self, hit):
        return hit.url

    def item_guid(self, hit):
        return f"practice-{hit.external_id or hit.page_id}"

    def item_pubdate(self, hit):
        from datetime import datetime, time

        from django.utils import timezone

        return timezone.make_aware(datetime.combine(hit.published_date, time(9)))

    def item_author_name(self, hit):
        return hit.force


def glossary_page(request):
    terms = GlossaryTerm.objects.order_by("term")
    return TemplateResponse(request, "search/glossary_page.html", {"terms": terms})
