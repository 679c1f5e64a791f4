"""Small numbers about a named force are never shown exactly, so nobody can be picked out.

A count of people (subscribers, registrants, attendees, submitters...) for a named force that
is 1 to 4 is shown as "fewer than 5" on the page, in charts (no bar is drawn) and in CSV files.
Nought is shown: it identifies nobody, and "nobody from this force" is what the coverage grid
is for. A change between periods, or a rate, computed from a hidden figure is hidden too,
since it would give the figure away.
"""

from dataclasses import dataclass

THRESHOLD = 5
HIDDEN = "fewer than 5"


@dataclass(frozen=True)
class Figure:
    value: float | None
    text: str
    hidden: bool = False

    def __str__(self):
        return self.text


def number(value, decimals=0):
    if value is None:
        return Figure(None, "–")
    text = f"{value:,.{decimals}f}" if decimals else f"{int(value):,}"
    return Figure(value, text)


def people(value, named_force):
    """A count of people: hidden when it is about a named force and under THRESHOLD."""
    value = int(value or 0)
    if named_force and 0 < value < THRESHOLD:
        return Figure(None, HIDDEN, hidden=True)
    return number(value)


def percent(numerator, denominator, *depends_on):
    """numerator / denominator as a percentage; hidden when a figure it is computed from is."""
    if any(isinstance(f, Figure) and f.hidden for f in depends_on):
        return Figure(None, HIDDEN, hidden=True)
    if not denominator:
        return Figure(None, "–")
    value = 100 * numerator / denominator
    return Figure(value, f"{value:.1f}%")


def change(current, previous):
    """The change from previous to current (Figures), signed; hidden with either figure."""
    if current.hidden or previous.hidden:
        return Figure(None, HIDDEN, hidden=True)
    if current.value is None or previous.value is None:
        return Figure(None, "–")
    difference = current.value - previous.value
    text = f"{difference:+,.1f}" if isinstance(difference, float) else f"{difference:+,}"
    return Figure(difference, "no change" if not difference else text)
