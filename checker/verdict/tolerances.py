"""Tolerances: an approved level of compliance below 100% at which a case rule's breaches make its provision
partly met rather than not met.

A tolerance is governance, not configuration: like a waiver it carries a justification, the post that approved
it, the approval date and an expiry, and after the expiry it is ignored. It is judged on exact counts: a tolerance
of 95% allows floor(examined × 5 / 100) breaches, so 94.95% never passes for 95%.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fractions import Fraction

from checker.derive.dates import uk_date


@dataclass(frozen=True)
class Tolerance:
    """An approved tolerance: the share of cases a rule must find compliant, who approved it and until when."""

    rule: str
    compliance_pct: Fraction  # the lowest share of cases, in per cent, that must comply
    justification: str
    approved_by: str
    approved_on: dt.date
    expires: dt.date
    file: str
    line: int

    def active(self, today: dt.date) -> bool:
        return self.approved_on <= today <= self.expires

    def allowed(self, examined: int) -> int:
        """The most breaches among `examined` cases that still reach the tolerance, in whole cases."""
        return int(examined * (100 - self.compliance_pct) // 100)

    @property
    def percent(self) -> str:
        """"95%" or "97.5%", as a reader writes it."""
        return f"{float(self.compliance_pct):g}%"

    def describe(self) -> str:
        """"95% (approved by the Housing Committee on 1 September 2025, until 31 March 2026)"."""
        return f"{self.percent} (approved by {self.approved_by} on {uk_date(self.approved_on)}, until {uk_date(self.expires)})"
