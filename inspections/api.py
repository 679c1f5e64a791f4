"""GET /api/v1/recommendations: the public register as JSON, with the register page's filters."""

import datetime as dt

from django.urls import reverse
from ninja import Query, Router, Schema
from ninja import Status as Reply

from portal.links import page_url, public_url

from .forms import RegisterFilterForm
from .queries import filter_register

router = Router(tags=["recommendations"])

MAX_LIMIT = 500
PAGING = {"limit", "offset"}


class Term(Schema):
    slug: str
    name: str


class Choice(Schema):
    value: str
    label: str


class ReportOut(Schema):
    title: str
    url: str
    programme: Choice
    published: dt.date
    force: Term


class RecommendationOut(Schema):
    id: int
    external_id: str | None
    reference: str
    text: str
    url: str
    report: ReportOut
    criterion: Term
    owner: Term
    status: Choice
    status_date: dt.date | None
    action_plan_date: dt.date
    due_date: dt.date | None
    overdue: bool
    long_open: bool


class RecommendationList(Schema):
    count: int
    results: list[RecommendationOut]


class Problem(Schema):
    detail: str
    errors: dict[str, list[str]]


def term(obj):
    return {"slug": obj.slug, "name": obj.name}


def as_json(request, rec):
    report = rec.report
    return {
        "id": rec.pk,
        "external_id": rec.external_id,
        "reference": rec.reference,
        "text": rec.text,
        "url": public_url(reverse("inspections:recommendation", args=[rec.pk])),
        "report": {
            "title": report.title,
            "url": page_url(report),
            "programme": {"value": report.programme, "label": report.get_programme_display()},
            "published": report.published_date,
            "force": term(report.force),
        },
        "criterion": term(rec.criterion),
        "owner": term(rec.owner),
        "status": {"value": rec.status, "label": rec.get_status_display()},
        "status_date": rec.status_date,
        "action_plan_date": rec.action_plan_date,
        "due_date": rec.due_date,
        "overdue": rec.is_overdue,
        "long_open": rec.is_long_open,
    }


@router.get(
    "",
    response={200: RecommendationList, 400: Problem},
    summary="List recommendations in the public register",
)
def list_recommendations(
    request,
    force: Query[list[str]] = None,
    programme: Query[list[str]] = None,
    criterion: Query[list[str]] = None,
    status: Query[list[str]] = None,
    year: Query[list[str]] = None,
    limit: int = 100,
    offset: int = 0,
):
    """Filters as on the register page: repeat a filter for OR (`status=open&status=in-progress`),
    combine different filters for AND. Forces and criteria by slug, years as four digits."""
    # Validated by the page's own form, so the API and the page agree on every filter.
    known = set(RegisterFilterForm.base_fields) | PAGING
    unknown = sorted(set(request.GET) - known)
    if unknown:
        filters = ", ".join(RegisterFilterForm.base_fields)
        return problem(
            f"Unknown filter '{unknown[0]}'. Filters are: {filters}",
            {name: ["is not a filter"] for name in unknown},
        )
    if not 1 <= limit <= MAX_LIMIT:
        return problem(f"limit must be from 1 to {MAX_LIMIT}", {"limit": ["out of range"]})
    if offset < 0:
        return problem("offset must be 0 or more", {"offset": ["is negative"]})
    params = request.GET.copy()
    for name in PAGING:
        params.pop(name, None)
    form, recommendations = filter_register(params)
    if form.errors:
        errors = {name: list(messages) for name, messages in form.errors.items()}
        return problem("; ".join(m for ms in errors.values() for m in ms), errors)
    return Reply(
        200,
        {
            "count": recommendations.count(),
            "results": [as_json(request, rec) for rec in recommendations[offset : offset + limit]],
        },
    )


def problem(detail, errors):
    return Reply(400, {"detail": detail, "errors": errors})
