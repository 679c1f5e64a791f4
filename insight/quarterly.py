"""The quarterly report's headline indicators, each beside the evaluation baseline it speaks to.

The baselines come from the evaluation's staff survey; the portal cannot repeat that survey, so
each indicator is the portal's own nearest measure, worded as such: how many of the 43
territorial forces its events and newsletter reached, and how much of the demand for seats it
met."""

from dataclasses import dataclass

from .suppression import number


@dataclass
class Indicator:
    baseline: str
    baseline_figure: str
    measure: str
    now: object
    before: object
    note: str


def _forces_with(figures, metric, forces):
    return sum(1 for slug, _name in forces if figures.total(metric, f"force:{slug}") > 0)


def _percent(part, whole):
    return number(100 * part / whole, 1) if whole else number(None)


def indicators(context):
    forces = context.territorial_forces
    count = len(forces)
    now, before = context.now, context.before
    registered = [_forces_with(f, "registrations.created", forces) for f in (now, before)]
    subscribed = [_forces_with(f, "subscribers.active", forces) for f in (now, before)]
    met = [(f.total("registrations.attended"), f.total("waitlist.unmet")) for f in (now, before)]
    return [
        Indicator(
            "Staff who knew of NCPI learning events",
            "5%",
            f"Territorial forces with staff registered for an event (of {count}), %",
            _percent(registered[0], count),
            _percent(registered[1], count),
            f"{registered[0]} of {count} forces this period; {registered[1]} the period before.",
        ),
        Indicator(
            "Staff who wanted to attend NCPI learning events",
            "68%",
            "People who wanted a seat and got one (attended, of attended plus waitlisted "
            "and never seated), %",
            _percent(met[0][0], sum(met[0])),
            _percent(met[1][0], sum(met[1])),
            f"{met[0][1]:,} people were waitlisted and never got a seat this period.",
        ),
        Indicator(
            "Staff who had never heard of the NCPI",
            "55%",
            f"Territorial forces with no newsletter subscriber (of {count}), %",
            _percent(count - subscribed[0], count),
            _percent(count - subscribed[1], count),
            f"{count - subscribed[0]} of {count} forces have no subscriber at the end of "
            "the period.",
        ),
    ]
