"""Blocks for learning events: the resources shared after an event."""

from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock

from portal.blocks import LinkBlock


class DocumentResourceBlock(blocks.StructBlock):
    document = DocumentChooserBlock()
    title = blocks.CharBlock(
        max_length=200, required=False, help_text="Defaults to the document's title."
    )

    class Meta:
        icon = "doc-full"
        template = "blocks/document_resource_block.html"
        description = "Slides, a handout or another document from the event"
        preview_value = {"title": "Slides"}


class ResourcesBlock(blocks.StreamBlock):
    """Slides, documents and recording links, shown on the event page and in follow-up emails."""

    document = DocumentResourceBlock()
    link = LinkBlock(description="A recording or another resource elsewhere")

    class Meta:
        icon = "folder-open-inverse"
        description = "Resources from the event"
