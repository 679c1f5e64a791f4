"""GET /api/v1/search: the public JSON search API (public content only, never restricted).

Parameters are read by hand rather than by Ninja's validation, so that every bad parameter gets
a 400 with a sentence saying what to change (Ninja's own validation answers 422).
"""

from django_ratelimit.core import is_ratelimited
from ninja import Query, Router, Schema

from portal.links import public_url

from . import facets, service
from .backends.base import SORTS
from .forms import read_parameters
from .models import SearchQuery

router = Router(tags=["search"])

# Machines page through results quickly; this still stops a runaway loop.
API_RATE = "300/m"


class HitOut(Schema):
    external_id: str
    title: str
    url: str
    summary: str
    highlight: str


class FacetValueOut(Schema):
    value: str
    label: str
    count: int
    selected: bool
    # The count is an estimate (from a sample of a very large set of results).
    approximate: bool = False


class SearchOut(Schema):
    count: int
    # The count is an estimate (from a sample of a very large set of results).
    count_approximate: bool = False
    page: int
    num_pages: int
    results: list[HitOut]
    facets: dict[str, list[FacetValueOut]]
    suggestion: str


class ErrorOut(Schema):
    detail: str
    parameter: str


class SearchParams(Schema):
    """Documented in the OpenAPI schema; the values are read and checked in the view."""

    q: str = ""
    criterion: list[str] = []
    theme: list[str] = []
    audience: list[str] = []
    force: list[str] = []
    region: list[str] = []
    evidence: list[str] = []
    outcome: list[str] = []
    stage: list[str] = []
    year: list[str] = []
    sort: str = "relevance"
    page: str = "1"


@router.get(
    "",
    response={200: SearchOut, 400: ErrorOut, 429: ErrorOut},
    summary="Search published practice",
    description=(
        'Words use web-search syntax ("phrase", -exclude). Values of one filter combine with '
        "OR, filters with AND; each facet's counts ignore its own selection. "
        f"sort is one of {', '.join(SORTS)}. Filter values are the slugs in the facets."
    ),
)
def search(request, params: Query[SearchParams]):
    if is_ratelimited(request, group="search-api", key="ip", rate=API_RATE, increment=True):
        return 429, {"detail": "Too many requests; try again in a minute.", "parameter": ""}
    try:
        values = read_parameters(request.GET, strict=True)
        results = service.search(user=None, source=SearchQuery.Source.API, **values)
    except service.InvalidSearch as error:
        return 400, {"detail": str(error), "parameter": error.field}
    except facets.InvalidFilter as error:
        return 400, {"detail": str(error), "parameter": error.facet}
    return {
        "count": results.count,
        "count_approximate": results.count_approximate,
        "page": results.page,
        "num_pages": results.num_pages,
        "results": [
            {
                "external_id": hit.external_id,
                "title": hit.title,
                "url": public_url(hit.url),
                "summary": hit.summary,
                # Escaped text with the matched words in <mark> elements.
                "highlight": str(hit.highlight),
            }
            for hit in results.hits
        ],
        "facets": {
            facet.name: [
                {
                    "value": o.value,
                    "label": o.label,
                    "count": o.count,
                    "selected": o.selected,
                    "approximate": results.facets_approximate,
                }
                for o in facet.options
            ]
            for facet in results.facets
        },
        "suggestion": results.suggestion,
    }
