"""The period the dashboard shows, chosen in the period picker, and the one it is compared with.

- last-30-days: the 30 days ending today;
- quarter: the last complete calendar quarter (what the quarterly report covers);
- year: the 365 days ending today;
- custom: from and to dates, both given, real, in order, not in the future and at most
  MAX_CUSTOM_DAYS apart.

The previous period is the one of the same length just before it (for a quarter, the quarter
before). A bad choice raises PeriodError with a message for the person who made it.
"""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

CHOICES = [
    ("last-30-days", "Last 30 days"),
    ("quarter", "Last complete quarter"),
    ("year", "Last 12 months"),
    ("custom", "Custom dates"),
]
DEFAULT = "last-30-days"
MAX_CUSTOM_DAYS = 3 * 366
EARLIEST = dt.date(2000, 1, 1)


class PeriodError(ValueError):
    pass


@dataclass(frozen=True)
class Period:
    choice: str
    first: dt.date
    last: dt.date

    @property
    def days(self):
        return (self.last - self.first).days + 1

    def previous(self):
        if self.choice == "quarter":
            return Period(self.choice, *quarter_before(self.first))
        last = self.first - dt.timedelta(days=1)
        return Period(self.choice, last - dt.timedelta(days=self.days - 1), last)

    def query(self):
        """The querystring that chooses this period again (for CSV links and the report)."""
        if self.choice == "custom":
            return f"period=custom&start={self.first.isoformat()}&end={self.last.isoformat()}"
        return f"period={self.choice}"

    def __str__(self):
        return f"{self.first:%-d %B %Y} to {self.last:%-d %B %Y}"


def quarter_before(day):
    """(first, last) of the calendar quarter that ends before `day`'s quarter starts."""
    quarter_start = dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    last = quarter_start - dt.timedelta(days=1)
    first = dt.date(last.year, 3 * ((last.month - 1) // 3) + 1, 1)
    return first, last


def _date(value, label):
    if not value:
        raise PeriodError(f"Enter the {label} date of a custom period, like 2026-03-01")
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise PeriodError(
            f"The {label} date must be a real date written like 2026-03-01"
        ) from None


def from_query(params, today=None):
    """The Period a querystring (period, start, end) asks for."""
    today = today or timezone.localdate()
    choice = params.get("period") or DEFAULT
    if choice == "last-30-days":
        return Period(choice, today - dt.timedelta(days=29), today)
    if choice == "year":
        return Period(choice, today - dt.timedelta(days=364), today)
    if choice == "quarter":
        return Period(choice, *quarter_before(today))
    if choice != "custom":
        raise PeriodError("Choose a period from the list: last 30 days, quarter, year or custom")
    first, last = _date(params.get("start"), "start"), _date(params.get("end"), "end")
    if first > last:
        raise PeriodError("The start date must be on or before the end date")
    if last > today:
        raise PeriodError("The end date cannot be in the future")
    if first < EARLIEST:
        raise PeriodError(f"The start date must be after {EARLIEST:%-d %B %Y}")
    if (last - first).days + 1 > MAX_CUSTOM_DAYS:
        raise PeriodError("A custom period can be at most three years long")
    return Period(choice, first, last)
