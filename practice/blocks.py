from wagtail import blocks

from portal.blocks import StepBlock


class AdoptionStepsBlock(blocks.StreamBlock):
    """The ordered steps another force follows to adopt the practice."""

    step = StepBlock()

    class Meta:
        icon = "list-ol"
        template = "blocks/adoption_steps_block.html"
        description = "Steps to adopt this practice"
        preview_value = [("step", {"title": "Map every children's home with the council"})]
