"""The coverage grid: each territorial force against each NCPI criterion, with the practice it
has shared, its staff attending events (in the period), its recommendations open and overdue,
and its subscribers following the criterion, so the NCPI team sees which forces it does not
reach. People counts under 5 are shown as "fewer than 5" (suppression.py)."""

from dataclasses import dataclass

from . import dimensions as dims
from .suppression import number, people
from .tables import Table

MEASURES = [
    # (key, label, metric, counts people)
    ("practice", "Case studies shared", "practice.shared", False),
    ("attending", "Staff attending events", "registrations.attended", True),
    ("open", "Recommendations open", "recommendations.open", False),
    ("overdue", "Recommendations overdue", "recommendations.overdue", False),
    ("subscribers", "Subscribers following the criterion", "subscribers.active", True),
]
# The grid's cells are narrow: short labels there, explained above the grid.
SHORT_LABELS = {
    "practice": "Shared",
    "attending": "Attending",
    "open": "Open",
    "overdue": "Overdue",
    "subscribers": "Subscribers",
}


@dataclass
class Cell:
    force_slug: str
    force: str
    criterion_slug: str
    criterion: str
    figures: list  # [(label, Figure)]

    @property
    def reached(self):
        """Reached: some practice, attendance or subscribers (recommendations are the
        inspection's, not the portal's reach)."""
        return any(
            figure.hidden or figure.value
            for (key, _label, figure) in self.figures
            if key in ("practice", "attending", "subscribers")
        )


def cell(context, force_slug, force, criterion_slug, criterion):
    dimension = dims.pair(force_slug, criterion_slug)
    figures = []
    for key, label, metric, counts_people in MEASURES:
        value = context.now.total(metric, dimension)
        figures.append((key, label, people(value, True) if counts_people else number(value)))
    return Cell(force_slug, force, criterion_slug, criterion, figures)


def grid(context):
    return [
        (name, [cell(context, slug, name, c_slug, c_name) for c_slug, c_name in context.criteria])
        for slug, name in context.territorial_forces
    ]


def grid_table(context):
    """The grid as one row per (force, criterion), for the CSV download."""
    table = Table(
        "coverage",
        "Coverage of forces and NCPI criteria",
        ["Force", "Criterion", *[label for _key, label, _m, _p in MEASURES]],
    )
    for _name, cells in grid(context):
        for item in cells:
            table.rows.append([item.force, item.criterion, *[f for _k, _l, f in item.figures]])
    return table
