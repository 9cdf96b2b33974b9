"""Reporting periods: a financial year (2024-25), a quarter of one (2024-25-Q2; April to June is Q1), or FROM:TO dates."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from checker.derive.dates import months_before, parse_date

_YEAR = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-(\d{2})-Q([1-4])$")


@dataclass(frozen=True)
class Period:
    """A reporting period (a financial year or a quarter), its first and last days inclusive."""

    start: dt.date
    end: dt.date
    label: str


def parse_period(text: str) -> Period:
    """Parse --period; raise ValueError with a message a user can act on."""
    text = text.strip()
    if m := _QUARTER.match(text):
        year = _financial_year(int(m.group(1)), int(m.group(2)), text)
        start = _month(year, 3 * int(m.group(3)) + 1)
        end = _month(start.year, start.month + 3) - dt.timedelta(days=1)
        return Period(start, end, text)
    if m := _YEAR.match(text):
        year = _financial_year(int(m.group(1)), int(m.group(2)), text)
        return Period(dt.date(year, 4, 1), dt.date(year + 1, 3, 31), text)
    if ":" in text:
        first, _, last = text.partition(":")
        since, until = parse_date(first.strip()), parse_date(last.strip())
        if since is None or until is None:
            raise ValueError(f"'{text}': FROM and TO must be dates (YYYY-MM-DD or DD/MM/YYYY)")
        if until < since:
            raise ValueError(f"'{text}': the period ends before it starts")
        return Period(since, until, f"{since.isoformat()} to {until.isoformat()}")
    raise ValueError(f"'{text}' is not a period: use a financial year (2024-25), a quarter (2024-25-Q2) or FROM:TO dates")


def judged_at(period: Period, as_of: dt.date | None, today: dt.date) -> dt.date:
    """The as-of date: --as-of, else the period's end or today if that is sooner. Open cases are judged as at it, and
    a contact received after it is outside the assessment."""
    return as_of or min(period.end, today)


def _month(year: int, month: int) -> dt.date:
    """The first of `month` counted from January of `year` (month 13 is next January)."""
    return dt.date(year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def _financial_year(start: int, end_short: int, text: str) -> int:
    if (start + 1) % 100 != end_short:
        raise ValueError(f"'{text}': a financial year runs over two consecutive years, e.g. {start}-{(start + 1) % 100:02d}")
    return start


def financial_year_of(day: dt.date) -> Period:
    """The financial year (April to March) holding `day`: the default period when a policy is checked on its own."""
    start = day.year if day.month >= 4 else day.year - 1
    return parse_period(f"{start}-{(start + 1) % 100:02d}")


def quarters_of(period: Period) -> list[Period]:
    """The financial quarters (April to June is Q1) that overlap the period, whole, labelled like 2024-25-Q1."""
    quarters = []
    day = financial_year_of(period.start).start
    while day <= period.end:
        quarter = parse_period(f"{financial_year_of(day).label}-Q{(day.month - 4) % 12 // 3 + 1}")
        if quarter.end >= period.start:
            quarters.append(quarter)
        day = quarter.end + dt.timedelta(days=1)
    return quarters


def previous_year(period: Period) -> Period:
    """The same period a year earlier (2024-25-Q2 → 2023-24-Q2), for figures shown in brackets beside this year's."""
    start, end = months_before(period.start, 12), months_before(period.end, 12)
    if _QUARTER.match(period.label) or _YEAR.match(period.label):
        label = financial_year_of(start).label + (period.label[-3:] if _QUARTER.match(period.label) else "")
    else:
        label = f"{start.isoformat()} to {end.isoformat()}"
    return Period(start, end, label)
