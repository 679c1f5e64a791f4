"""GET /api/v1/recommendations: the public register as JSON, with the register page's filters."""

import datetime as dt
from typing import Literal

from django.urls import reverse
from ninja import Query, Router, Schema
from ninja import Status as Reply

from portal.api_parameters import (
    BadParameters,
    ProblemOut,
    reject_unknown,
    values_of,
    vocabulary,
    whole_number,
)
from portal.links import page_url, public_url

from .forms import RegisterFilterForm
from .models import Programme, Status
from .queries import filter_register

router = Router(tags=["recommendations"])

MAX_LIMIT = 500
# Far beyond the register's size (a few thousand recommendations); bounds what the database
# is asked to skip.
MAX_OFFSET = 100_000
# More values of one filter than the page offers.
MAX_VALUES = 50


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


def register_choices(name):
    """The values the register page's form accepts for a filter: the API checks the same."""
    return [str(value) for value, _label in RegisterFilterForm().fields[name].choices if value]


def filter_values(name, message, description):
    """Values the register page's form offers for this filter (a vocabulary in the database)."""
    return values_of(
        vocabulary(f"recommendations.{name}", lambda: register_choices(name), message),
        MAX_VALUES,
        description,
    )


class RegisterParams(Schema):
    force: filter_values("force", "there is no force '{value}'", "Force; repeat for OR.") = []
    programme: values_of(
        Literal[tuple(Programme.values)], MAX_VALUES, "Programme; repeat for OR."
    ) = []
    criterion: filter_values(
        "criterion", "there is no NCPI criterion '{value}'", "NCPI criterion; repeat for OR."
    ) = []
    status: values_of(Literal[tuple(Status.values)], MAX_VALUES, "Status; repeat for OR.") = []
    year: filter_values(
        "year", "there are no reports published in '{value}'", "Year published; repeat for OR."
    ) = []
    limit: whole_number(1, MAX_LIMIT) = 100
    offset: whole_number(0, MAX_OFFSET) = 0


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
    response={200: RecommendationList, 400: ProblemOut},
    summary="List recommendations in the public register",
)
def list_recommendations(request, params: Query[RegisterParams]):
    """Filters as on the register page: repeat a filter for OR (`status=open&status=in-progress`),
    combine different filters for AND. Forces and criteria by slug, years as four digits."""
    reject_unknown(request, RegisterParams)
    filters = request.GET.copy()
    for name in ("limit", "offset"):
        filters.pop(name, None)
    # Filtered by the page's own form, so the API and the page agree on every filter.
    form, recommendations = filter_register(filters)
    if form.errors:
        raise BadParameters({name: list(messages) for name, messages in form.errors.items()})
    start = params.offset
    return Reply(
        200,
        {
            "count": recommendations.count(),
            "results": [
                as_json(request, rec) for rec in recommendations[start : start + params.limit]
            ],
        },
    )
