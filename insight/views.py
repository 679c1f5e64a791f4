"""The insight area of the admin: the dashboard, CSV downloads of its tables, the coverage grid
and its cells, the quarterly report and "add to glossary". Every view needs
insight.view_insight; Wagtail's admin URLs need a signed-in admin user first."""

from functools import wraps
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from . import coverage as coverage_grid
from . import coverage_details, periods, quarterly
from .sections import common, events, practice, reach, search

PERMISSION = "insight.view_insight"
SECTIONS = [reach, events, practice, search]
GLOSSARY_TERM_MAX = 64


def insight_required(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.has_perm(PERMISSION):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def period_or_error(request, template, default=periods.DEFAULT):
    """(Context, None) for the period asked for, or (None, a 400 response saying what is
    wrong with it, showing the picker again)."""
    params = request.GET.copy()
    params.setdefault("period", default)
    today = timezone.localdate()
    try:
        period = periods.from_query(params, today)
    except periods.PeriodError as error:
        context = {"period_error": str(error), "picker": picker(params), "sections": []}
        return None, TemplateResponse(request, template, context, status=400)
    return common.Context(period, today), None


def picker(params, period=None):
    return {
        "choices": periods.CHOICES,
        "chosen": params.get("period") or periods.DEFAULT,
        "start": params.get("start") or (period.first.isoformat() if period else ""),
        "end": params.get("end") or (period.last.isoformat() if period else ""),
    }


def page_context(context, request):
    return {
        "period": context.period,
        "previous": context.previous,
        "picker": picker(request.GET, context.period),
        "period_query": context.period.query(),
    }


@insight_required
def dashboard(request):
    template = "insight/dashboard.html"
    context, error = period_or_error(request, template)
    if error:
        return error
    sections = [section.build(context) for section in SECTIONS]
    can_add_glossary = request.user.has_perm("search.add_glossaryterm")
    return TemplateResponse(
        request,
        template,
        {
            **page_context(context, request),
            "sections": sections,
            "can_add_glossary": can_add_glossary,
        },
    )


@insight_required
def table_csv(request, section, table):
    module = next((s for s in SECTIONS if s.__name__.rsplit(".", 1)[1] == section), None)
    if module is None:
        raise Http404
    context, error = period_or_error(request, "insight/dashboard.html")
    if error:
        return error
    found = module.build(context).table(table)
    if found is None:
        raise Http404
    response = HttpResponse(found.csv(), content_type="text/csv; charset=utf-8")
    name = f"{found.key}-{context.period.first}-to-{context.period.last}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_POST
@insight_required
def add_to_glossary(request):
    """Open the glossary's "add" form with the words of a search that found nothing."""
    if not request.user.has_perm("search.add_glossaryterm"):
        raise PermissionDenied
    term = " ".join(request.POST.get("query", "").split())
    if not term or len(term) > GLOSSARY_TERM_MAX:
        response = TemplateResponse(
            request,
            "insight/glossary_error.html",
            {"max_length": GLOSSARY_TERM_MAX, "back": reverse("insight:dashboard")},
            status=400,
        )
        return response
    return redirect(
        f"{reverse('wagtailsnippets_search_glossaryterm:add')}?{urlencode({'term': term})}"
    )


@insight_required
def coverage(request):
    template = "insight/coverage.html"
    context, error = period_or_error(request, template)
    if error:
        return error
    if request.GET.get("format") == "csv":
        table = coverage_grid.grid_table(context)
        response = HttpResponse(table.csv(), content_type="text/csv; charset=utf-8")
        name = f"coverage-{context.period.first}-to-{context.period.last}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    return TemplateResponse(
        request,
        template,
        {
            **page_context(context, request),
            "criteria": context.criteria,
            "grid": coverage_grid.grid(context),
            "short_labels": coverage_grid.SHORT_LABELS,
        },
    )


@insight_required
def coverage_cell(request, force, criterion):
    template = "insight/coverage_cell.html"
    context, error = period_or_error(request, template)
    if error:
        return error
    force_name = dict(context.territorial_forces).get(force)
    criterion_name = dict(context.criteria).get(criterion)
    if not force_name or not criterion_name:
        raise Http404
    found = coverage_grid.cell(context, force, force_name, criterion, criterion_name)
    return TemplateResponse(
        request,
        template,
        {
            **page_context(context, request),
            "cell": found,
            **coverage_details.lists(force, criterion, context),
        },
    )


@insight_required
def report(request):
    template = "insight/report.html"
    context, error = period_or_error(request, template, default="quarter")
    if error:
        return error
    sections = [section.build(context) for section in SECTIONS]
    return TemplateResponse(
        request,
        template,
        {
            **page_context(context, request),
            "sections": sections,
            "indicators": quarterly.indicators(context),
            "generated": timezone.localtime(),
        },
    )
