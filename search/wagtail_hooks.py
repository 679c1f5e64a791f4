"""Admin: the glossary as a snippet, the search report, and counting practice page views."""

import datetime as dt

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import CreateView, SnippetViewSet

from . import analytics, popularity
from .models import GlossaryTerm

REPORT_ROWS = 50
REPORT_PERMISSION = "search.view_searchquery"
DEFAULT_REPORT_DAYS = 30


class GlossaryTermCreateView(CreateView):
    """The "add" form, with the term filled in from ?term= (insight's "add to glossary" on a
    search that found nothing)."""

    def get_initial(self):
        initial = super().get_initial()
        term = " ".join(self.request.GET.get("term", "").split())
        if self.request.method == "GET" and term:
            initial["term"] = term[: GlossaryTerm._meta.get_field("term").max_length]
        return initial


class GlossaryTermViewSet(SnippetViewSet):
    model = GlossaryTerm
    add_view_class = GlossaryTermCreateView
    icon = "help"
    menu_label = "Glossary"
    menu_order = 310
    add_to_admin_menu = True
    list_display = ["term", "meaning", "synonyms", "is_acronym"]
    list_filter = ["is_acronym"]
    search_fields = ["term", "meaning"]


register_snippet(GlossaryTermViewSet)


class ReportPeriodForm(forms.Form):
    start = forms.DateField(
        label="From",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter the start date as a real date, like 2025-03-01"},
    )
    end = forms.DateField(
        label="To",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter the end date as a real date, like 2025-03-31"},
    )

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError("The start date must be on or before the end date")
        return data


def search_report(request):
    """Top searches and searches that found nothing, for a chosen period (default: 30 days)."""
    if not request.user.has_perm(REPORT_PERMISSION):
        raise PermissionDenied
    today = timezone.localdate()
    initial = {"start": today - dt.timedelta(days=DEFAULT_REPORT_DAYS - 1), "end": today}
    form = ReportPeriodForm(request.GET if "start" in request.GET else None, initial=initial)
    period = form.cleaned_data if form.is_valid() else initial
    if form.is_bound and not form.is_valid():
        period = initial
    first, last = period["start"], period["end"]
    context = {
        "form": form,
        "period": period,
        "total": analytics.total_searches(first, last),
        "top": analytics.top_queries(first, last, REPORT_ROWS),
        "zero": analytics.zero_result_queries(first, last, REPORT_ROWS),
        "keep_days": settings.SEARCH_LOG_KEEP_DAYS,
    }
    return TemplateResponse(request, "search/admin/search_report.html", context)


@hooks.register("register_admin_urls")
def register_search_report_url():
    return [path("reports/search/", search_report, name="search_report")]


class SearchReportMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(REPORT_PERMISSION)


@hooks.register("register_reports_menu_item")
def register_search_report_menu_item():
    return SearchReportMenuItem(
        "Searches", reverse("search_report"), name="searches", icon_name="search", order=900
    )


@hooks.register("before_serve_page")
def count_practice_view(page, request, serve_args, serve_kwargs):
    """Count a view of a practice page for "most viewed": once per visitor a day, and only if
    the visitor may see the page (this hook may run before Wagtail's own privacy check)."""
    from practice.models import PracticePage

    if request.method == "GET" and isinstance(page, PracticePage):
        popularity.count_view(page, request)
    return None
