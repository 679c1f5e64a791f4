"""The NCPI team's side of accounts: access requests to decide."""

from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .access import carry_out
from .models import AccessRequest


class AccessRequestViewSet(SnippetViewSet):
    model = AccessRequest
    icon = "user"
    menu_label = "Access requests"
    list_display = ["user", "organisation", "status", "created_at"]
    list_filter = ["status"]
    add_to_admin_menu = True
    menu_order = 900


register_snippet(AccessRequestViewSet)


@hooks.register("after_edit_snippet")
def decided(request, instance):
    if isinstance(instance, AccessRequest):
        carry_out(instance)
