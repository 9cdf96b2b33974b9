"""Working days: Monday to Friday, less England and Wales bank holidays and the landlord's closure days.

Day 0 is the day of the event that starts the clock (receipt, acknowledgement); day 1 is the next
working day. "Within 5 working days of receipt" therefore means on or before the fifth working day
after the day of receipt, whatever time of day the complaint arrived: a complaint received on a
Friday and acknowledged the following Friday took 5 working days. This follows the convention that
the clock starts the day after the triggering event, which the Code itself does not define.

The bank holidays come from the holidays package. Its first use imports every country it knows (about a quarter
of a second), so chc ships the England and Wales days of the years registers hold, as holidays gives them
(bank_holidays.json, written by `python -m checker.derive.calendar` and checked against holidays by the tests),
and asks holidays itself only for years outside them.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import polars as pl

SHIPPED = Path(__file__).with_name("bank_holidays.json")
SHIPPED_YEARS = range(1995, 2046)
ONE_DAY = pl.duration(days=1)


class WorkingCalendar:
    """Counts working days in bulk, as polars expressions."""

    def __init__(self, first_year: int, last_year: int, closure_days: Iterable[dt.date] = ()):
        self.holidays = sorted(set(bank_holidays(first_year, last_year)) | set(closure_days))

    def elapsed(self, start: pl.Expr, end: pl.Expr) -> pl.Expr:
        """Working days after `start` up to and including `end`; if `end` is earlier, minus those after `end` up to
        and including `start`, so that elapsed(a, b) == -elapsed(b, a). Null where either date is blank.

        (polars' business_day_count, as numpy's, counts from its start up to but not including its end, and with
        its dates reversed counts the days after the later date instead, which is one off whenever either date is
        not a working day.)
        """
        forward = pl.business_day_count(start + ONE_DAY, end + ONE_DAY, holidays=self.holidays)
        backward = pl.business_day_count(end + ONE_DAY, start + ONE_DAY, holidays=self.holidays)
        return pl.when(end < start).then(-backward).otherwise(forward).cast(pl.Int64)


def bank_holidays(first_year: int, last_year: int) -> list[dt.date]:
    """England and Wales bank holidays from the first year to the last, inclusive."""
    if first_year in SHIPPED_YEARS and last_year in SHIPPED_YEARS:
        return [day for day in _shipped() if first_year <= day.year <= last_year]
    return from_holidays(first_year, last_year)


@cache
def _shipped() -> list[dt.date]:
    return [dt.date.fromisoformat(day) for day in json.loads(SHIPPED.read_text(encoding="utf-8"))["days"]]


def from_holidays(first_year: int, last_year: int) -> list[dt.date]:
    """The days as the holidays package gives them: England (subdivision ENG), whose bank holidays are Wales's too."""
    import holidays

    return sorted(holidays.UK(subdiv="ENG", years=range(first_year, last_year + 1)))


if __name__ == "__main__":  # rewrite bank_holidays.json after the holidays package is upgraded
    from importlib.metadata import version

    days = [day.isoformat() for day in from_holidays(SHIPPED_YEARS[0], SHIPPED_YEARS[-1])]
    SHIPPED.write_text(json.dumps({"source": f"holidays {version('holidays')}: UK, subdivision ENG, "
                                             f"{SHIPPED_YEARS[0]} to {SHIPPED_YEARS[-1]}", "days": days}, indent=0) + "\n",
                       encoding="utf-8")
