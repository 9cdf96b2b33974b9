"""Working days: Monday to Friday, less England and Wales bank holidays and the landlord's closure days.

Day 0 is the day of the event that starts the clock (receipt, acknowledgement); day 1 is the next
working day. "Within 5 working days of receipt" therefore means on or before the fifth working day
after the day of receipt, whatever time of day the complaint arrived: a complaint received on a
Friday and acknowledged the following Friday took 5 working days. This follows the convention that
the clock starts the day after the triggering event, which the Code itself does not define.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import holidays
import numpy as np

ONE_DAY = np.timedelta64(1, "D")


class WorkingCalendar:
    """Counts working days in bulk with numpy's busday functions."""

    def __init__(self, first_year: int, last_year: int, closure_days: Iterable[dt.date] = ()):
        bank = holidays.UK(subdiv="ENG", years=range(first_year, last_year + 1))
        days = sorted(set(bank) | set(closure_days))
        self.holidays = np.array(days, dtype="datetime64[D]")
        self._busday = np.busdaycalendar(weekmask="1111100", holidays=self.holidays)

    def elapsed(self, start: np.ndarray, end: np.ndarray) -> np.ndarray:
        """Working days after `start` up to and including `end`; if `end` is earlier, minus those after `end` up to
        and including `start`, so that elapsed(a, b) == -elapsed(b, a).

        (numpy's busday_count with its dates reversed counts the days after the later date instead, which is one
        off whenever either date is not a working day.)
        """
        early, late = np.minimum(start, end), np.maximum(start, end)
        count = np.busday_count(early + ONE_DAY, late + ONE_DAY, busdaycal=self._busday)
        return np.where(end < start, -count, count)
