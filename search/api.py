"""GET /api/v1/search: the public JSON search API (public content only, never restricted).

Parameters are typed (portal.api_parameters): the schema states their bounds and allowed values
and a bad one is a 400 saying what to change. Filter values are the taxonomy's slugs, read from
the database; years are four digits.
"""

from typing import Literal

from ninja import Query, Router, Schema

from portal.api_parameters import (
    BadParameters,
    ProblemOut,
    free_text,
    matching,
    problem,
    reject_unknown,
    values_of,
    vocabulary,
    whole_number,
)
from portal.links import public_url
from portal.ratelimits import is_ratelimited

from . import facets, service
from .backends.base import SORTS
from .forms import MAX_QUERY_LENGTH
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


def facet_values(facet):
    """The type of a facet's parameter: slugs from its vocabulary, or years."""
    if facet.name == "year":
        value = matching(facets.YEAR_PATTERN, "'{value}' is not a year")
    else:
        noun = facet.label if facet.label.split()[0].isupper() else facet.label.lower()
        value = vocabulary(
            f"search.{facet.name}",
            lambda: facets.labels()[facet.name],
            f"there is no {noun} '{{value}}'",
        )
    return values_of(value, facets.MAX_VALUES_PER_FACET, f"{facet.label}; repeat for OR.")


class SearchParams(Schema):
    q: free_text(MAX_QUERY_LENGTH) = ""
    criterion: facet_values(facets.FACETS_BY_NAME["criterion"]) = []
    theme: facet_values(facets.FACETS_BY_NAME["theme"]) = []
    audience: facet_values(facets.FACETS_BY_NAME["audience"]) = []
    force: facet_values(facets.FACETS_BY_NAME["force"]) = []
    region: facet_values(facets.FACETS_BY_NAME["region"]) = []
    evidence: facet_values(facets.FACETS_BY_NAME["evidence"]) = []
    outcome: facet_values(facets.FACETS_BY_NAME["outcome"]) = []
    stage: facet_values(facets.FACETS_BY_NAME["stage"]) = []
    year: facet_values(facets.FACETS_BY_NAME["year"]) = []
    sort: Literal[SORTS] = "relevance"
    page: whole_number(1, service.MAX_PAGE) = 1


@router.get(
    "",
    response={200: SearchOut, 400: ProblemOut, 429: ProblemOut},
    summary="Search published practice",
    description=(
        'Words use web-search syntax ("phrase", -exclude). Values of one filter combine with '
        "OR, filters with AND; each facet's counts ignore its own selection. "
        "Filter values are the slugs in the facets."
    ),
)
def search(request, params: Query[SearchParams]):
    if is_ratelimited(request, group="search-api", key="ip", rate=API_RATE, increment=True):
        return 429, problem("Too many requests; try again in a minute.")
    reject_unknown(request, SearchParams)
    filters = {name: getattr(params, name) for name in facets.FACET_NAMES}
    try:
        results = service.search(
            params.q,
            filters,
            params.sort,
            params.page,
            user=None,
            source=SearchQuery.Source.API,
        )
    except service.InvalidSearch as error:
        raise BadParameters({error.field: [str(error)]}) from error
    except facets.InvalidFilter as error:
        raise BadParameters({error.facet: [str(error)]}) from error
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
