"""Reading the search page's and the API's parameters (GET) into service arguments."""

from . import facets
from .service import InvalidSearch

# Longer queries are cut by search.query (to its clause limit); this only bounds the request.
MAX_QUERY_LENGTH = 10_000
KNOWN_PARAMETERS = {"q", "sort", "page", *facets.FACET_NAMES}


def read_parameters(data, strict=False):
    """{query, filters, sort, page} from a QueryDict. With strict (the API), an unknown
    parameter is an error, so a misspelt filter is not silently ignored."""
    if strict:
        unknown = sorted(set(data) - KNOWN_PARAMETERS)
        if unknown:
            raise InvalidSearch(
                unknown[0],
                f"Unknown parameter '{unknown[0]}'. Use: {', '.join(sorted(KNOWN_PARAMETERS))}",
            )
    query = data.get("q", "")
    if len(query) > MAX_QUERY_LENGTH:
        raise InvalidSearch("q", f"The search must be {MAX_QUERY_LENGTH:,} characters or fewer")
    filters = {name: data.getlist(name) for name in facets.FACET_NAMES if data.getlist(name)}
    return {
        "query": query,
        "filters": filters,
        "sort": data.get("sort") or "relevance",
        "page": data.get("page") or 1,
    }
