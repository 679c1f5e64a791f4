"""The public register, its CSV download, recommendation pages and force pages."""

import csv
import datetime as dt

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from events.models import EventPage
from portal.links import public_url
from portal.visibility import levels_for, visible_pages
from practice.models import PracticeIndexPage, PracticePage
from taxonomy.models import Organisation

from .models import InspectionIndexPage
from .queries import (
    filter_register,
    public_recommendations,
    public_reports,
    suggest_practice,
    with_answer_counts,
)

RECOMMENDATIONS_PER_PAGE = 50
FORCE_PAGE_LIMIT = 20  # practice and events shown on a force page; the listings have the rest

CSV_COLUMNS = [
    "Reference",
    "Recommendation",
    "Force inspected",
    "Owner",
    "Programme",
    "Report",
    "Report published",
    "NCPI criterion",
    "Status",
    "Status since",
    "Action plan due",
    "Due",
    "Overdue",
    "Long open",
    "Web address",
]


def inspection_index():
    return InspectionIndexPage.objects.live().public().first()


@require_safe
def register(request):
    form, recommendations = filter_register(request.GET)
    page_obj = Paginator(
        with_answer_counts(recommendations, levels_for(request.user)), RECOMMENDATIONS_PER_PAGE
    ).get_page(request.GET.get("page"))
    csv_query = request.GET.copy()
    csv_query.pop("page", None)
    return TemplateResponse(
        request,
        "inspections/register.html",
        {
            "filter_form": form,
            "page_obj": page_obj,
            "csv_query": csv_query.urlencode(),
            "index": inspection_index(),
        },
    )


def csv_cell(value):
    """Spreadsheets run cells that start with these as formulas: make them plain text."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@require_safe
def register_csv(request):
    form, recommendations = filter_register(request.GET)
    if form.errors:
        # A download must never silently widen to the whole register.
        problems = "; ".join(error for errors in form.errors.values() for error in errors)
        return HttpResponse(
            f"The filters are not valid: {problems}.",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="recommendations-{dt.date.today():%Y-%m-%d}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    for rec in recommendations.iterator(chunk_size=500):
        writer.writerow(
            [
                csv_cell(value)
                for value in (
                    rec.reference,
                    rec.text,
                    rec.report.force.name,
                    rec.owner.name,
                    rec.report.get_programme_display(),
                    rec.report.title,
                    rec.report.published_date.isoformat(),
                    rec.criterion.name,
                    rec.get_status_display(),
                    rec.status_date.isoformat() if rec.status_date else "",
                    rec.action_plan_date.isoformat(),
                    rec.due_date.isoformat() if rec.due_date else "",
                    "yes" if rec.is_overdue else "no",
                    "yes" if rec.is_long_open else "no",
                    public_url(rec_url(rec)),
                )
            ]
        )
    return response


def rec_url(recommendation):
    return reverse("inspections:recommendation", args=[recommendation.pk])


@require_safe
def recommendation_detail(request, pk):
    recommendation = get_object_or_404(public_recommendations(), pk=pk)
    levels = levels_for(request.user)
    answering = (
        visible_pages(recommendation.answering_practice.all(), levels)
        .select_related("force")
        .order_by("-published_date")
    )
    return TemplateResponse(
        request,
        "inspections/recommendation_detail.html",
        {
            "recommendation": recommendation,
            "history": recommendation.status_changes.order_by("changed_on", "pk"),
            "answering": answering,
            "suggestions": suggest_practice(recommendation, levels),
            "index": inspection_index(),
        },
    )


def forces():
    return Organisation.objects.filter(kind=Organisation.Kind.FORCE).select_related("region")


def public_practice():
    return visible_pages(PracticePage.objects.all(), levels_for(None))


@require_safe
def force_list(request):
    listed = Q(territorial=True) | Q(pk__in=public_practice().values("force_id"))
    return TemplateResponse(
        request,
        "inspections/force_list.html",
        {"forces": forces().filter(listed).order_by("name")},
    )


@require_safe
def force_detail(request, slug):
    force = get_object_or_404(forces(), slug=slug)
    if not force.territorial and not (
        force.inspection_reports.exists() or public_practice().filter(force=force).exists()
    ):
        # Pages exist for the 43 territorial forces, and for any other force inspected or
        # that has shared practice (the demo's fictional forces among them).
        raise Http404
    levels = levels_for(request.user)
    recommendations = with_answer_counts(
        public_recommendations().filter(report__force=force), levels
    )
    events = (
        EventPage.objects.live().public().upcoming().select_related("format", "region")
        if force.region_id
        else EventPage.objects.none()
    )
    return TemplateResponse(
        request,
        "inspections/force_detail.html",
        {
            "force": force,
            "reports": public_reports().filter(force=force).order_by("-published_date"),
            "recommendations": recommendations,
            "practice": visible_pages(PracticePage.objects.all(), levels)
            .filter(force=force)
            .order_by("-published_date", "-pk")[:FORCE_PAGE_LIMIT],
            "events": events.filter(region_id=force.region_id)[:FORCE_PAGE_LIMIT],
            "index": inspection_index(),
            "practice_index": PracticeIndexPage.objects.live().first(),
        },
    )
