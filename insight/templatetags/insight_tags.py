"""Table bodies and chart shapes built in Python: thousands of cells through template nodes
made up most of the dashboard's render time. Every value is escaped here."""

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def index(sequence, position):
    try:
        return sequence[position]
    except (IndexError, TypeError):
        return None


@register.filter
def index_key(mapping, key):
    return mapping.get(key, key)


@register.simple_tag
def table_cells(row):
    """One row's cells: the first a row header, the rest data cells."""
    head, *cells = (conditional_escape(str(cell)) for cell in row)
    return mark_safe(  # noqa: S308 - every part escaped above
        f'<th scope="row">{head}</th>' + "".join(f"<td>{cell}</td>" for cell in cells)
    )


@register.simple_tag
def chart_shapes(chart):
    """The legend, labels and bars of a chart (tables.Table.chart); numbers are preformatted
    strings."""
    e = conditional_escape
    parts = [
        f'<rect x="{item["x"]}" y="4" width="14" height="14" fill="{item["colour"]}"></rect>'
        f'<text x="{item["text_x"]}" y="16" font-size="13" fill="#0b0c0c">{e(item["text"])}</text>'
        for item in chart["legend"]
    ]
    parts += [
        f'<text x="{chart["label_x"]}" y="{label["y"]}" font-size="13" fill="#0b0c0c" '
        f'text-anchor="end" dominant-baseline="middle">{e(label["text"])}</text>'
        for label in chart["labels"]
    ]
    parts += [
        f'<rect x="{bar["x"]}" y="{bar["y"]}" width="{bar["width"]}" height="{bar["height"]}" '
        f'fill="{bar["colour"]}"></rect><text x="{bar["text_x"]}" y="{bar["text_y"]}" '
        f'font-size="12" fill="#0b0c0c">{e(bar["text"])}</text>'
        for bar in chart["bars"]
    ]
    return mark_safe("".join(parts))  # noqa: S308 - text escaped, the rest our own numbers
