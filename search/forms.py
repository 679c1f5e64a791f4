"""Reading the search page's and the feed's parameters (GET) into service arguments.

The API declares the same parameters as types (search.api); both refuse what the other refuses.
"""

from portal import text

from . import facets
from .service import InvalidSearch

# Longer queries are cut by search.query (to its clause limit); this only bounds the request.
MAX_QUERY_LENGTH = 10_000


def read_query(data):
    """The words searched for; InvalidSearch when they cannot be searched for."""
    query = data.get("q", "")
    if len(query) > MAX_QUERY_LENGTH:
        raise InvalidSearch("q", f"The search must be {MAX_QUERY_LENGTH:,} characters or fewer")
    problem = text.text_problem(query)
    if problem:
        raise InvalidSearch("q", f"The search {text.MESSAGES[problem]}")
    return query


def read_parameters(data):
    """{query, filters, sort, page} from a QueryDict; InvalidSearch naming a bad parameter.
    Filter values and the sort are checked by the service."""
    query = read_query(data)
    filters = {name: data.getlist(name) for name in facets.FACET_NAMES if data.getlist(name)}
    page = data.get("page") or "1"
    # ASCII digits: int() would also read "٣", "+3" and "1_0".
    if not (page.isascii() and page.isdigit()):
        raise InvalidSearch("page", "Page must be a whole number, like 2")
    return {
        "query": query,
        "filters": filters,
        "sort": data.get("sort") or "relevance",
        "page": page,
    }
