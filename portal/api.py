"""The public read API, version 1: one NinjaAPI that each app adds its router to.

Mounted at /api/v1/; the OpenAPI schema is at /api/v1/openapi.json and the docs at /api/v1/docs.
"""

from ninja import NinjaAPI

api = NinjaAPI(
    title="Safeguarding Practice Exchange API",
    version="1",
    description="Read-only access to published practice, events, search and the register.",
    urls_namespace="api-v1",
)

# Apps add their routers here, e.g. api.add_router("/search", search_router).

from inspections.api import router as recommendations_router  # noqa: E402

api.add_router("/recommendations", recommendations_router)

from search.api import router as search_router  # noqa: E402

api.add_router("/search", search_router)
