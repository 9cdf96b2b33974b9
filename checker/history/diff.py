"""What changed between two recorded periods: provisions newly met and newly not met, and every other verdict change.

"Met" is as Appendix 1 answers it: Yes for a provision met or not applicable, No for every other verdict. So a
provision partly met last year and met this year is newly met; one met last year and waived this year is newly not met.
"""

from __future__ import annotations

from dataclasses import dataclass

from checker.history.query import latest, verdicts
from checker.history.store import History
from checker.render.appendix import COMPLY


@dataclass(frozen=True)
class Change:
    """A provision whose verdict differs between two periods."""

    provision: str
    before: str
    now: str

    @property
    def change(self) -> str:
        """newly_met, newly_not_met, or changed (a No for another reason, or a Yes of another kind)."""
        was, is_ = COMPLY.get(self.before) == "Yes", COMPLY.get(self.now) == "Yes"  # as Appendix 1 answers
        return "newly_met" if is_ and not was else "newly_not_met" if was and not is_ else "changed"


@dataclass(frozen=True)
class YearOnYear:
    """The self-assessment against the same period a year before, as recorded in the history file."""

    period: str  # the earlier period's label
    recorded_at: str
    changes: list[Change]  # newly met and newly not met only, in the Code's order


def compare(before: dict[str, str], now: dict[str, str]) -> list[Change]:
    """Every provision judged in both whose verdict differs, in `now`'s order (a provision new to the Code has no before)."""
    return [Change(p, before[p], status) for p, status in now.items() if p in before and before[p] != status]


def since(history: History, earlier: str, now: dict[str, str]) -> YearOnYear | None:
    """The changes from the latest assessment recorded for `earlier` to the verdicts `now`; None without that record."""
    record = latest(history, "assessment", earlier)
    if record is None:
        return None
    before = {p: status for p, (status, _) in verdicts(history, record).items()}
    return YearOnYear(earlier, record.recorded_at, [c for c in compare(before, now) if c.change != "changed"])
