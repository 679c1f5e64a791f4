"""Hooks for the whole site: documents are served only to people who may see a page using them."""

from django.contrib.auth.views import redirect_to_login
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from wagtail import hooks
from wagtail.models import Page, ReferenceIndex

from .visibility import levels_for, visible_pages


def pages_using(document):
    """Ids of the pages that use a document: attached, linked from rich text or chosen in a
    block (Wagtail's reference index records each of those)."""
    page_type = ContentType.objects.get_for_model(Page)
    ids = ReferenceIndex.get_references_to(document).filter(base_content_type=page_type)
    return {int(pk) for pk in ids.values_list("object_id", flat=True)}


@hooks.register("before_serve_document")
def serve_documents_as_their_pages_allow(document, request):
    """A document inherits the visibility of the pages that use it: it is served when the
    person may see at least one of them (or when no page uses it: then its collection's own
    privacy settings, which Wagtail checks, are all that apply)."""
    page_ids = pages_using(document)
    if not page_ids:
        return None
    pages = visible_pages(Page.objects.filter(pk__in=page_ids), levels_for(request.user))
    if pages.exists():
        return None
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    raise PermissionDenied
