"""Events: registrations, attendance and no-shows, unmet waitlist demand and feedback."""

from events.models import EventPage

from ..suppression import number, people, percent
from ..tables import Table
from .common import Section, headline_table, ratio, time_table

TOP_EVENTS = 20


def _no_show_rate(figures, dimension=""):
    attended = figures.total("registrations.attended", dimension)
    missed = figures.total("registrations.no_show", dimension)
    return ratio(missed, attended + missed, 100)


def _average_usefulness(figures, dimension=""):
    return ratio(
        figures.total("feedback.score", dimension), figures.total("feedback.responses", dimension)
    )


def build(context):
    section = Section(
        "events",
        "Events",
        "Registrations count on the day they were made; attendance, no-shows and the waitlist "
        "on the day the event started. Unmet demand is people still on the waitlist when the "
        "event began: they wanted a seat and never got one. Usefulness is scored 1 (not useful "
        "at all) to 5 (very useful).",
    )
    section.tables.append(
        headline_table(
            "events-headlines",
            "Events at a glance",
            context,
            [
                ("Registrations", "registrations.created"),
                ("Attended", "registrations.attended"),
                ("No-shows", "registrations.no_show"),
                ("No-show rate (%)", _no_show_rate, 1),
                ("Waitlisted and never got a seat", "waitlist.unmet"),
                ("On a waitlist now, for events to come", "waitlist.current"),
                ("Feedback responses", "feedback.responses"),
                ("Average usefulness (1 to 5)", _average_usefulness, 2),
            ],
        )
    )
    section.tables.append(
        time_table(
            "events-over-time",
            "Registrations and attendance over time",
            context,
            [("Registrations", "registrations.created"), ("Attended", "registrations.attended")],
        )
    )
    section.tables.append(_by_force(context))
    section.tables.append(
        _by(context, "events-roles", "Events by role", "Role", "role", _roles(context))
    )
    section.tables.append(
        _by(
            context,
            "events-criteria",
            "Events by NCPI criterion",
            "Criterion",
            "criterion",
            dict(context.criteria),
            feedback=True,
        )
    )
    section.tables.extend(_per_event(context))
    return section


def _counts(figures, dimension, named_force):
    registered, attended, missed, unmet = (
        people(figures.total(metric, dimension), named_force)
        for metric in [
            "registrations.created",
            "registrations.attended",
            "registrations.no_show",
            "waitlist.unmet",
        ]
    )
    rate = percent(
        missed.value or 0, (attended.value or 0) + (missed.value or 0), attended, missed
    )
    return [registered, attended, missed, rate, unmet]


COUNT_COLUMNS = ["Registrations", "Attended", "No-shows", "No-show rate", "Never got a seat"]


def _by_force(context):
    table = Table(
        "events-forces",
        "Events by force",
        ["Force", *COUNT_COLUMNS],
        chart_columns=(1, 2),
        description="Figures under 5 people are shown as “fewer than 5”, and so is a rate "
        "computed from one.",
    )
    rows = []
    for slug, name, _territorial in context.forces:
        counts = _counts(context.now, f"force:{slug}", True)
        registered = context.now.total("registrations.created", f"force:{slug}")
        rows.append((-registered, name, [name, *counts]))
    table.rows = [row for *_, row in sorted(rows)]
    return table


def _roles(context):
    """The job roles, then each audience that registrations gave as their role where no job
    role stands for it (Registration.role_audience) and that has figures in the period."""
    names = dict(context.job_roles)
    for metric in ("registrations.created", "registrations.attended", "registrations.no_show"):
        for slug in context.now.by_prefix(metric, "role"):
            if slug not in names and slug in context.roles:
                names[slug] = context.roles[slug]
    return names


def _by(context, key, title, heading, prefix, names, feedback=False):
    columns = [heading, *COUNT_COLUMNS]
    if feedback:
        columns += ["Feedback responses", "Average usefulness"]
    table = Table(key, title, columns, chart_columns=(1, 2))
    for slug, name in names.items():
        dimension = f"{prefix}:{slug}"
        row = [name, *_counts(context.now, dimension, False)]
        if feedback:
            row += [
                number(context.now.total("feedback.responses", dimension)),
                number(_average_usefulness(context.now, dimension), 2),
            ]
        table.rows.append(row)
    return table


def _per_event(context):
    now = context.now
    responses = now.by_prefix("feedback.responses", "event")
    unmet = now.by_prefix("waitlist.unmet", "event")
    ids = sorted(responses, key=lambda e: -responses[e])[:TOP_EVENTS]
    waiting = sorted(unmet, key=lambda e: -unmet[e])[:TOP_EVENTS]
    titles = dict(
        EventPage.objects.filter(pk__in=[int(i) for i in {*ids, *waiting}]).values_list(
            "pk", "title"
        )
    )
    feedback = Table(
        "events-feedback",
        "Feedback per event (most responses first)",
        ["Event", "Responses", "Average usefulness"],
        chart_columns=(2,),
    )
    for event_id in ids:
        feedback.rows.append(
            [
                titles.get(int(event_id), f"Event {event_id}"),
                number(responses[event_id]),
                number(_average_usefulness(now, f"event:{event_id}"), 2),
            ]
        )
    demand = Table(
        "events-unmet-demand",
        "Unmet demand per event (people waitlisted who never got a seat)",
        ["Event", "Never got a seat"],
        chart_columns=(1,),
    )
    for event_id in waiting:
        demand.rows.append(
            [titles.get(int(event_id), f"Event {event_id}"), number(unmet[event_id])]
        )
    return [feedback, demand]
