"""Reach: who gets the NCPI's news, by organisation type and by force, and what they follow."""

from ..suppression import number, people
from ..tables import Table
from .common import Section, headline_table, time_table

ORGANISATION_TYPES = {"force": "Police forces", "partner": "Partner organisations"}
KINDS = {"events": "All new learning events", "search": "Saved searches"}


def bounces(figures):
    return (
        figures.total("subscribers.suppressed") if figures.has("subscribers.suppressed") else None
    )


def build(context):
    now = context.now
    section = Section(
        "reach",
        "Reach",
        "Subscribers count once they confirm their address. A subscriber's force comes from "
        "their email domain (each force's domains are set on its organisation). Bounced and "
        "complaining addresses are counted as suppressed, a total at the end of each period.",
    )
    section.tables.append(
        headline_table(
            "reach-headlines",
            "Reach at a glance",
            context,
            [
                ("Newly confirmed subscribers", "subscribers.confirmed"),
                ("Unsubscribes", "subscribers.unsubscribed"),
                ("Active subscribers at the end of the period", "subscribers.active"),
                ("Suppressed addresses (bounces and complaints), at the end", bounces),
                ("Accounts linked to a force, at the end", "accounts.registered"),
            ],
        )
    )
    section.tables.append(
        time_table(
            "reach-over-time",
            "Confirmed subscribers and unsubscribes over time",
            context,
            [
                ("Newly confirmed", "subscribers.confirmed"),
                ("Unsubscribes", "subscribers.unsubscribed"),
            ],
        )
    )
    section.tables.append(
        time_table(
            "reach-types-over-time",
            "Newly confirmed subscribers over time by organisation type",
            context,
            [
                ("Police forces", "subscribers.confirmed", "orgtype:force"),
                ("Partner organisations", "subscribers.confirmed", "orgtype:partner"),
            ],
        )
    )
    types = Table(
        "reach-organisation-types",
        "Subscribers by organisation type",
        ["Organisation type", "Active at the end", "Newly confirmed", "Unsubscribes"],
        chart_columns=(1,),
    )
    for slug, label in ORGANISATION_TYPES.items():
        dimension = f"orgtype:{slug}"
        types.rows.append(
            [
                label,
                number(now.total("subscribers.active", dimension)),
                number(now.total("subscribers.confirmed", dimension)),
                number(now.total("subscribers.unsubscribed", dimension)),
            ]
        )
    section.tables.append(types)
    section.tables.append(_by_force(context))
    section.tables.append(_topics(context))
    return section


def _by_force(context):
    now = context.now
    table = Table(
        "reach-forces",
        "Subscribers and accounts by force",
        [
            "Force",
            "Active subscribers at the end",
            "Newly confirmed",
            "Unsubscribes",
            "Accounts linked to the force",
        ],
        chart_columns=(1,),
        description="Figures under 5 people are shown as “fewer than 5”.",
    )
    rows = []
    for slug, name, _territorial in context.forces:
        dimension = f"force:{slug}"
        active = now.total("subscribers.active", dimension)
        figures = [
            now.total("subscribers.confirmed", dimension),
            now.total("subscribers.unsubscribed", dimension),
            now.total("accounts.registered", dimension),
        ]
        rows.append((-active, name, [name, *[people(v, True) for v in [active, *figures]]]))
    table.rows = [row for *_, row in sorted(rows)]
    return table


def _topics(context):
    criteria = dict(context.criteria)
    names = {"criterion": criteria, "theme": context.themes, "audience": context.roles}
    table = Table(
        "reach-topics",
        "Active subscriptions by topic",
        ["Topic", "Active subscriptions at the end"],
        chart_columns=(1,),
    )
    rows = []
    for topic, value in context.now.by_prefix("subscriptions.active", "topic").items():
        kind, _, slug = topic.partition(":")
        if slug:
            label = f"{kind.capitalize()}: {names.get(kind, {}).get(slug, slug)}"
        else:
            label = KINDS.get(kind, kind)
        rows.append((-value, label, [label, number(value)]))
    table.rows = [row for *_, row in sorted(rows)]
    return table
