"""Policy dates judged against the period: what the policy declares happened (an annual report put to the governing
body, the last governing-body update) counts only if it happened recently enough to evidence this period.

Without this an annual report reported in 2016 would satisfy 8.2 for 2024-25. A blank date gives a blank fact,
which no rule reads as met.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from checker.derive.dates import months_before
from checker.derive.period import Period

# the longest gap between governing-body updates that still keeps to each declared frequency, in months
FREQUENCY_MONTHS = {"monthly": 1, "quarterly": 3, "half_yearly": 6, "annually": 12}
ANNUAL_REPORT_MONTHS = 12  # the annual report (Code 8.1) is annual: the latest must fall in the year to the period's end


def dated_facts(facts: dict[str, Any], period: Period, as_of: dt.date) -> dict[str, Any]:
    """`reporting.annual_report.current` and `reporting.governing_body_updates.current`: true, false, or None
    (blank) when the policy gives no date (or, for updates, no frequency). Both are judged at the period's end, or at
    the as-of date while the period is still running: the last update no more than one interval before it."""
    reported = _day(facts.get("reporting.annual_report.reported_to_governing_body"))
    updated = _day(facts.get("reporting.governing_body_updates.last_update"))
    months = FREQUENCY_MONTHS.get(facts.get("reporting.governing_body_updates.frequency") or "")
    end = min(period.end, as_of)
    return {
        "reporting.annual_report.current": None if reported is None else months_before(end, ANNUAL_REPORT_MONTHS) < reported <= end,
        "reporting.governing_body_updates.current": None if updated is None or months is None
        else months_before(end, months) <= updated <= end,
    }


def _day(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value if isinstance(value, dt.date) else None
