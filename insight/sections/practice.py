"""Practice: views, contact-the-originator requests and submissions per force and criterion;
the case studies most viewed and least found; the forces that have shared nothing."""

from practice.models import PracticePage

from ..suppression import number, people
from ..tables import Table
from .common import Section, headline_table, time_table

TOP_PAGES = 10


def _forces_sharing_nothing(context):
    return [
        name
        for slug, name in context.territorial_forces
        if not context.now.total("practice.shared", f"force:{slug}")
    ]


def build(context):
    section = Section(
        "practice",
        "Practice",
        "A view counts once per visitor a day. Contact requests are messages sent to a case "
        "study's originator; submissions are case studies a force sent for moderation. "
        "Contact requests and submissions under 5 for a force are shown as “fewer than 5”.",
    )
    section.tables.append(
        headline_table(
            "practice-headlines",
            "Practice at a glance",
            context,
            [
                ("Case study views", "practice.views"),
                ("Contact-the-originator requests", "practice.contacts"),
                ("Submissions from forces", "practice.submissions"),
                ("Live case studies at the end", "practice.shared"),
            ],
        )
    )
    section.tables.append(
        time_table(
            "practice-over-time",
            "Views and contact requests over time",
            context,
            [("Views", "practice.views"), ("Contact requests", "practice.contacts")],
        )
    )
    section.tables.append(_by_force(context))
    criteria = Table(
        "practice-criteria",
        "Practice by NCPI criterion",
        ["Criterion", "Views", "Contact requests", "Submissions"],
        chart_columns=(1,),
    )
    for slug, name in context.criteria:
        dimension = f"criterion:{slug}"
        criteria.rows.append(
            [name]
            + [
                number(context.now.total(m, dimension))
                for m in ["practice.views", "practice.contacts", "practice.submissions"]
            ]
        )
    section.tables.append(criteria)
    section.tables.extend(_pages(context))
    nothing = Table(
        "practice-forces-sharing-nothing",
        "Territorial forces with no live case study",
        ["Force"],
    )
    nothing.rows = [[name] for name in _forces_sharing_nothing(context)]
    section.tables.append(nothing)
    return section


def _by_force(context):
    now = context.now
    table = Table(
        "practice-forces",
        "Practice by force",
        ["Force", "Live case studies", "Views", "Contact requests", "Submissions"],
        chart_columns=(2,),
    )
    rows = []
    for slug, name, _territorial in context.forces:
        dimension = f"force:{slug}"
        views = now.total("practice.views", dimension)
        rows.append(
            (
                -views,
                name,
                [
                    name,
                    number(now.total("practice.shared", dimension)),
                    number(views),
                    people(now.total("practice.contacts", dimension), True),
                    people(now.total("practice.submissions", dimension), True),
                ],
            )
        )
    table.rows = [row for *_, row in sorted(rows)]
    return table


def _pages(context):
    """Most viewed and least found: every live case study with its views in the period,
    including those nobody viewed (which have no figures at all)."""
    views = context.now.by_prefix("practice.views", "page")
    contacts = context.now.by_prefix("practice.contacts", "page")
    live = PracticePage.objects.live().values_list("pk", "title", "force__name")
    pages = [
        (views.get(str(pk), 0), contacts.get(str(pk), 0), title, force)
        for pk, title, force in live
    ]
    columns = ["Case study", "Force", "Views", "Contact requests"]
    most = Table("practice-most-viewed", "Most viewed case studies", columns, chart_columns=(2,))
    least = Table(
        "practice-least-found",
        "Least found case studies (fewest views)",
        columns,
        chart_columns=(2,),
    )
    for table, ordered in [
        (most, sorted(pages, key=lambda p: (-p[0], p[2]))),
        (least, sorted(pages, key=lambda p: (p[0], p[2]))),
    ]:
        table.rows = [
            [title, force, number(v), people(c, True)]
            for v, c, title, force in ordered[:TOP_PAGES]
        ]
    return [most, least]
