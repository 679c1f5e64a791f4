"""A table of figures as the dashboard shows it: under a chart drawn from its numbers, and as
a CSV download with the same (suppressed) text.

The chart is a horizontal bar chart drawn server-side as SVG (templates/insight/includes/
chart.svg): one bar per row for each charted column, lengths scaled to the largest value,
with the figure written beside each bar. A hidden figure ("fewer than 5") gets no bar.
"""

import csv
import io
from dataclasses import dataclass, field

from .suppression import Figure

CHART_WIDTH = 640
LABEL_WIDTH = 220
BAR_HEIGHT = 16
BAR_GAP = 4
ROW_GAP = 10
BAR_AREA = CHART_WIDTH - LABEL_WIDTH - 110
COLOURS = ["#1d70b8", "#f47738"]  # GOV.UK blue and orange: distinguishable, with a legend.
MAX_CHART_ROWS = 20


@dataclass
class Table:
    key: str
    title: str
    columns: list
    rows: list = field(default_factory=list)
    # Indexes of the columns drawn as bars (at most two); none: no chart.
    chart_columns: tuple = ()
    description: str = ""
    # Extra per-row content for the HTML only (such as the "add to glossary" button).
    actions: list | None = None

    def text_rows(self):
        return [[str(cell) for cell in row] for row in self.rows]

    def csv(self):
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(self.columns)
        for row in self.text_rows():
            # Cells starting with =, +, - or @ would run as formulas in a spreadsheet.
            writer.writerow(["'" + c if c[:1] in "=+-@" and not _is_number(c) else c for c in row])
        return out.getvalue()

    def chart(self):
        if not self.chart_columns or not self.rows:
            return None
        rows = self.rows[:MAX_CHART_ROWS]
        values = [
            cell.value
            for row in rows
            for index in self.chart_columns
            if isinstance(cell := row[index], Figure) and cell.value is not None
        ]
        largest = max([v for v in values if v > 0], default=0)
        series = len(self.chart_columns)
        row_height = series * (BAR_HEIGHT + BAR_GAP) + ROW_GAP
        top = 28 if series > 1 else 8
        bars, labels = [], []
        for position, row in enumerate(rows):
            y = top + position * row_height
            labels.append(
                {"y": _n(y + series * (BAR_HEIGHT + BAR_GAP) / 2), "text": _short(row[0])}
            )
            for number, index in enumerate(self.chart_columns):
                cell = row[index]
                value = cell.value if isinstance(cell, Figure) else None
                width = BAR_AREA * value / largest if value and largest and value > 0 else 0
                bar_y = y + number * (BAR_HEIGHT + BAR_GAP)
                bars.append(
                    {
                        "x": _n(LABEL_WIDTH),
                        "y": _n(bar_y),
                        "width": _n(width),
                        "height": _n(BAR_HEIGHT),
                        "colour": COLOURS[number],
                        "text": str(cell),
                        "text_x": _n(LABEL_WIDTH + width + 6),
                        "text_y": _n(bar_y + BAR_HEIGHT - 4),
                    }
                )
        legend = [
            {
                "x": _n(LABEL_WIDTH + n * 200),
                "text_x": _n(LABEL_WIDTH + n * 200 + 20),
                "colour": COLOURS[n],
                "text": self.columns[i],
            }
            for n, i in enumerate(self.chart_columns)
        ]
        return {
            "width": _n(CHART_WIDTH),
            "height": _n(top + len(rows) * row_height),
            "label_x": _n(LABEL_WIDTH - 8),
            "bars": bars,
            "labels": labels,
            "legend": legend if series > 1 else [],
            "shown_rows": len(rows),
            "all_rows": len(self.rows),
        }


def _n(value):
    """A coordinate as SVG wants it: a plain string, so the template does not localise it
    (formatting thousands of numbers in a template is slow)."""
    return f"{value:.1f}".removesuffix(".0")


def _short(label, limit=32):
    label = str(label)
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _is_number(text):
    try:
        float(text.replace(",", "").rstrip("%"))
    except ValueError:
        return False
    return True
