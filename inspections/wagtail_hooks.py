from django.contrib import messages
from wagtail import hooks
from wagtail.admin.ui.tables import Column
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .models import InspectionActivity, Recommendation


class RecommendationViewSet(SnippetViewSet):
    model = Recommendation
    icon = "tasks"
    menu_label = "Recommendations"
    list_display = [
        "__str__",
        "report",
        "owner",
        "status",
        "due_date",
        Column("flags", label="Flags", accessor=lambda rec: ", ".join(rec.flags())),
    ]
    list_filter = ["status", "criterion", "owner"]
    ordering = ["-report__published_date", "pk"]

    def get_queryset(self, request):
        # The listing shows report, owner and flags (which read the report's date) per row.
        return Recommendation.objects.select_related("report", "owner", "criterion")


class InspectionActivityViewSet(SnippetViewSet):
    model = InspectionActivity
    icon = "date"
    menu_label = "Inspection calendar"
    list_display = [
        "force",
        "programme",
        "planned_start",
        "planned_end",
        Column("warning", label="Close to other activity", accessor="warning"),
    ]
    list_filter = ["force", "programme"]
    ordering = ["planned_start"]

    def get_queryset(self, request):
        return InspectionActivity.objects.select_related("force")


class InspectionsGroup(SnippetViewSetGroup):
    menu_label = "Inspections"
    menu_icon = "clipboard-list"
    menu_order = 250
    items = (RecommendationViewSet, InspectionActivityViewSet)


register_snippet(InspectionsGroup)


def warn_about_nearby_activity(request, instance):
    """Tell the NCPI team, as they save, that another programme visits the force close by."""
    if isinstance(instance, InspectionActivity):
        warning = instance.warning()
        if warning:
            messages.warning(request, warning)


@hooks.register("after_create_snippet")
def warn_after_create(request, instance):
    warn_about_nearby_activity(request, instance)


@hooks.register("after_edit_snippet")
def warn_after_edit(request, instance):
    warn_about_nearby_activity(request, instance)
