import django_filters
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .models import (
    Audience,
    Criterion,
    EventFormat,
    EvidenceLevel,
    JobRole,
    Organisation,
    OrganisationMembership,
    Region,
    Theme,
)


class CriterionViewSet(SnippetViewSet):
    model = Criterion
    icon = "list-ol"
    list_display = ["name", "slug"]
    search_fields = ["name"]


class ThemeViewSet(SnippetViewSet):
    model = Theme
    icon = "tag"
    list_display = ["name", "slug"]
    search_fields = ["name"]


class AudienceViewSet(SnippetViewSet):
    model = Audience
    icon = "group"
    list_display = ["name", "slug"]
    search_fields = ["name"]


class JobRoleViewSet(SnippetViewSet):
    model = JobRole
    icon = "user"
    list_display = ["name", "slug"]
    search_fields = ["name"]


class EvidenceLevelViewSet(SnippetViewSet):
    model = EvidenceLevel
    icon = "success"
    list_display = ["name", "slug"]


class EventFormatViewSet(SnippetViewSet):
    model = EventFormat
    icon = "date"
    list_display = ["name", "slug"]


class RegionViewSet(SnippetViewSet):
    model = Region
    icon = "site"
    list_display = ["name", "slug"]


class OrganisationViewSet(SnippetViewSet):
    model = Organisation
    icon = "home"
    list_display = ["name", "kind", "region"]
    list_filter = ["kind", "region", "territorial"]
    search_fields = ["name"]


class OrganisationMembershipFilterSet(WagtailFilterSet):
    # Police whose force no email domain names have no organisation: the filter finds them too.
    organisation = django_filters.ModelChoiceFilter(
        queryset=Organisation.objects.all(),
        null_label=OrganisationMembership.FORCE_NOT_IDENTIFIED,
    )

    class Meta:
        model = OrganisationMembership
        fields = ["organisation__kind", "organisation", "basis"]


class OrganisationMembershipViewSet(SnippetViewSet):
    """Members of each force and partner (and police whose force is not identified), how they
    were vouched for and when last confirmed. The NCPI team adds people here, and revokes a
    membership by deleting it (which takes police access with it, accounts.signals)."""

    model = OrganisationMembership
    icon = "user"
    menu_label = "Members"
    list_display = [
        "user",
        Column("organisation_name", label="Organisation", sort_key="organisation__name"),
        "basis",
        "verified_at",
    ]
    filterset_class = OrganisationMembershipFilterSet
    search_fields = ["user__username", "user__email", "organisation__name"]


class TaxonomyGroup(SnippetViewSetGroup):
    menu_label = "Taxonomy"
    menu_icon = "folder-open-inverse"
    menu_order = 300
    items = (
        CriterionViewSet,
        ThemeViewSet,
        AudienceViewSet,
        JobRoleViewSet,
        EvidenceLevelViewSet,
        EventFormatViewSet,
        RegionViewSet,
        OrganisationViewSet,
        OrganisationMembershipViewSet,
    )


register_snippet(TaxonomyGroup)
