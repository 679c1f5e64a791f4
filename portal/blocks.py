"""Blocks shared by every app's StreamFields (bakerydemo's habit: one module, imported by apps)."""

from wagtail import blocks


class StepBlock(blocks.StructBlock):
    """One step of "how to adopt it": what to do, and any detail worth knowing."""

    title = blocks.CharBlock(max_length=200, help_text="What to do, in a few words.")
    detail = blocks.RichTextBlock(
        required=False, features=["bold", "italic", "link", "ol", "ul"], help_text="How, and why."
    )

    class Meta:
        icon = "list-ol"
        template = "blocks/step_block.html"
        description = "A step a force takes to adopt this practice"
        preview_value = {"title": "Agree a protocol with every children's home", "detail": ""}


class LinkBlock(blocks.StructBlock):
    title = blocks.CharBlock(max_length=200)
    url = blocks.URLBlock()

    class Meta:
        icon = "link"
        template = "blocks/link_block.html"
        description = "A link to a resource elsewhere"
        preview_value = {"title": "College of Policing guidance", "url": "https://example.org/"}


class BaseStreamBlock(blocks.StreamBlock):
    """Body content for editorial pages: headings, paragraphs and links."""

    heading = blocks.CharBlock(
        form_classname="title",
        icon="title",
        template="blocks/heading_block.html",
        description="A section heading",
        preview_value="How the programme works",
    )
    paragraph = blocks.RichTextBlock(
        features=["bold", "italic", "link", "ol", "ul", "document-link"],
        icon="pilcrow",
        template="blocks/paragraph_block.html",
        description="Rich text",
        preview_value="<p>Forces share what works in protecting children.</p>",
    )
    link = LinkBlock()
