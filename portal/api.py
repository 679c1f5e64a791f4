"""The public read API, version 1: one NinjaAPI that each app adds its router to.

Mounted at /api/v1/; the OpenAPI schema is at /api/v1/openapi.json and the docs at /api/v1/docs.
Parameters are typed in portal.api_parameters: a bad one is a 400 in one shape on every
endpoint, and the schema states every bound and allowed value.
"""

from ninja import NinjaAPI
from ninja.errors import ValidationError

from .api_parameters import (
    BadParameters,
    QueryParser,
    problem,
    validation_problem,
    with_vocabularies,
)


class PortalAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs):
        # Built on each request for the schema: the vocabularies are read from the database.
        return with_vocabularies(super().get_openapi_schema(**kwargs))


api = PortalAPI(
    title="Safeguarding Practice Exchange API",
    version="1",
    description=(
        "Read-only access to published practice, events, search and the register. "
        "A bad parameter is answered with 400 and a body saying what to change."
    ),
    urls_namespace="api-v1",
    parser=QueryParser(),
)


@api.exception_handler(ValidationError)
def refuse_invalid(request, exc):
    return api.create_response(request, validation_problem(request, exc.errors), status=400)


@api.exception_handler(BadParameters)
def refuse_bad(request, exc):
    return api.create_response(request, problem(exc.detail, exc.errors), status=400)


# Apps add their routers here, e.g. api.add_router("/search", search_router).

from inspections.api import router as recommendations_router  # noqa: E402

api.add_router("/recommendations", recommendations_router)

from search.api import router as search_router  # noqa: E402

api.add_router("/search", search_router)
