"""What every dashboard section is made of: headline figures compared with the previous
period, tables (each with its chart and CSV), and the names its dimensions stand for."""

from dataclasses import dataclass, field
from functools import cached_property

from taxonomy.models import Audience, Criterion, JobRole, Organisation, Theme

from .. import reading
from ..suppression import change, number
from ..tables import Table


@dataclass
class Section:
    key: str
    title: str
    introduction: str
    tables: list = field(default_factory=list)

    def table(self, key):
        return next((t for t in self.tables if t.key == key), None)


class Context:
    """The period, the previous period, their figures and the labels, shared by the sections
    built for one request."""

    def __init__(self, period, today):
        self.period = period
        self.previous = period.previous()
        self.today = today
        self.now = reading.PeriodFigures(period)
        self.before = reading.PeriodFigures(self.previous)

    @cached_property
    def forces(self):
        """[(slug, name)] of the 43 territorial forces, and of any other force with figures."""
        return list(
            Organisation.objects.filter(kind=Organisation.Kind.FORCE)
            .order_by("name")
            .values_list("slug", "name", "territorial")
        )

    @cached_property
    def territorial_forces(self):
        return [(slug, name) for slug, name, territorial in self.forces if territorial]

    @cached_property
    def criteria(self):
        return list(Criterion.objects.order_by("sort_order", "name").values_list("slug", "name"))

    @cached_property
    def roles(self):
        """Audiences (what practice and subscriptions are for)."""
        return dict(Audience.objects.values_list("slug", "name"))

    @cached_property
    def job_roles(self):
        """What registrants give as their role."""
        return dict(JobRole.objects.values_list("slug", "name"))

    @cached_property
    def themes(self):
        return dict(Theme.objects.values_list("slug", "name"))


def headline_table(key, title, context, measures):
    """Measures as rows: [(label, metric or callable(figures) -> value, decimals)]. A stock
    (snapshot metric) for a period before the first snapshot was taken shows as "–", not 0."""
    table = Table(key, title, ["Measure", "This period", "Previous period", "Change"])
    for label, source, *decimals in measures:
        digits = decimals[0] if decimals else 0
        values = [
            source(figures)
            if callable(source)
            else (figures.total(source) if figures.has(source) else None)
            for figures in (context.now, context.before)
        ]
        current, previous = (number(v, digits) for v in values)
        table.rows.append([label, current, previous, change(current, previous)])
    return table


def time_table(key, title, context, metrics):
    """A row per day, week or month of the period with each series' total: [(label, metric)]
    or [(label, metric, dimension)] (the total when no dimension is given)."""
    pairs = [(m[1], m[2] if len(m) > 2 else "") for m in metrics]
    buckets, values = reading.series(context.period, pairs)
    table = Table(
        key,
        title,
        ["Period", *[m[0] for m in metrics]],
        chart_columns=(1, 2)[: len(metrics)],
    )
    for index, (label, _first, _last) in enumerate(buckets):
        table.rows.append([label, *[number(values[pair][index]) for pair in pairs]])
    return table


def ratio(numerator, denominator, scale=1):
    return (scale * numerator / denominator) if denominator else None
