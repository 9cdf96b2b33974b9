"""Read the history back: the records kept, a period's latest record, its verdicts and figures, and the stored quarters.

A period may hold more than one record of a kind (one per rules or Code version it was judged under): the latest
recorded (the last written, whatever its --generated-at stamp) stands for the period.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from checker.history.store import History

QUARTER = re.compile(r"^\d{4}-\d{2}-Q[1-4]$")
TREND_QUARTERS = 8  # the report's trend: the last two years of stored quarters


@dataclass(frozen=True)
class Record:
    """One stored run, as `chc history list` shows it."""

    id: int
    kind: str
    period: str
    start: str
    end: str
    as_of: str
    rules_version: str
    code_version: str
    chc_version: str
    recorded_at: str
    register: str
    fingerprint: str


COLUMNS = ("id, kind, period_label, period_start, period_end, as_of, rules_version, code_version, chc_version, recorded_at, "
           "register_source, input_fingerprint")


def records(history: History) -> list[Record]:
    """Every record, by period then kind, the latest first within a period."""
    return [Record(*row) for row in history.rows(f"SELECT {COLUMNS} FROM runs ORDER BY period_start, period_end DESC, kind, id DESC")]


def latest(history: History, kind: str, period: str) -> Record | None:
    """The record that stands for `period`: of its records of `kind`, the latest recorded."""
    rows = history.rows(f"SELECT {COLUMNS} FROM runs WHERE kind = ? AND period_label = ? ORDER BY id DESC LIMIT 1",
                        (kind, period))
    return Record(*rows[0]) if rows else None


def verdicts(history: History, record: Record) -> dict[str, tuple[str, str]]:
    """Provision → (verdict, evidence kinds), in the Code's order as recorded."""
    rows = history.rows("SELECT provision, status, evidence_kinds FROM verdicts WHERE run_id = ? ORDER BY rowid", (record.id,))
    return {provision: (status, kinds) for provision, status, kinds in rows}


def figures(history: History, record: Record) -> dict[str, Any]:
    """Dotted figure name → value."""
    return dict(history.rows("SELECT name, value FROM figures WHERE run_id = ? ORDER BY name", (record.id,)))


def stored_quarters(history: History, until: dt.date) -> list[dict[str, Any]]:
    """The trend over the stored quarters ending by `until`, oldest first (at most the last TREND_QUARTERS): each
    quarter's complaints received and answered within the Code's timescale, at both stages, as the report's data
    names them."""
    rows = history.rows(f"SELECT {COLUMNS} FROM runs AS r WHERE kind = 'figures' AND period_end <= ? AND id = (SELECT id FROM runs "
                        "WHERE kind = 'figures' AND period_label = r.period_label ORDER BY id DESC LIMIT 1) "
                        "ORDER BY period_start", (until.isoformat(),))
    trend = []
    for record in [r for r in (Record(*row) for row in rows) if QUARTER.match(r.period)][-TREND_QUARTERS:]:
        values = figures(history, record)
        quarter: dict[str, Any] = {"period": {"label": record.period, "start": record.start, "end": record.end}}
        for stage in ("stage1", "stage2"):
            within = {"count": values[f"{stage}.within_timescale.count"], "of": values[f"{stage}.within_timescale.of"]}
            quarter[stage] = {"received": values[f"{stage}.received"], "within_timescale": within}
        trend.append(quarter)
    return trend
