"""Blocks a newsletter issue is composed from: rich text and chosen practice or event pages."""

from wagtail import blocks


class FeaturedPagesBlock(blocks.StructBlock):
    """A heading and a list of practice case studies or events, each shown with its summary."""

    heading = blocks.CharBlock(max_length=200, required=False)
    pages = blocks.ListBlock(
        blocks.PageChooserBlock(page_type=["practice.PracticePage", "events.EventPage"])
    )

    class Meta:
        icon = "doc-full"
        template = "blocks/featured_pages_block.html"
        description = "Practice case studies or events, with their summaries and links"
        preview_value = {"heading": "New practice this month", "pages": []}


class IssueBodyBlock(blocks.StreamBlock):
    text = blocks.RichTextBlock(
        features=["h3", "bold", "italic", "link", "ol", "ul"],
        icon="pilcrow",
        template="blocks/paragraph_block.html",
        description="Rich text",
        preview_value="<p>This month forces shared new practice on missing children.</p>",
    )
    featured = FeaturedPagesBlock()
