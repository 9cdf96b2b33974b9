"""Record a run: an assessment's verdicts or a report's figures for its period, replacing that period's earlier record.

What is stored is what chc's JSON outputs publish, and less: per provision its verdict and evidence kinds; per
report the numeric figures (counts, shares, rates, never a name, a case reference or a service area). A re-run of the
same period under the same rules and Code versions replaces the record in one transaction, never adding a second.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from checker import __version__
from checker.history.store import History, HistoryError
from checker.load.policy import Policy
from checker.load.register import Register
from checker.verdict.assessment import Assessment

# the report data's figures (checker/report/figures.py), as the JSON names them; lists (service areas, themes) are left out
FIGURES = ("contacts", "stage1", "stage2", "escalation_rate_pct", "stage2_stage1_not_in_register", "tsm", "refused", "compensation")


@dataclass(frozen=True)
class Run:
    """What identifies a record and says where it came from."""

    kind: str  # 'assessment' or 'figures'
    landlord: str
    period: dict[str, str]  # label, start, end, as_of, as the JSON gives them
    rules_version: str
    code: dict[str, Any]
    recorded_at: dt.datetime
    register_source: str
    fingerprint: str


def fingerprint(policy: Policy, register: Register) -> str:
    """The main inputs as loaded, hashed: the policy's metadata and the register's file name and counts. The register
    is read once, so its bytes are not hashed again, and waivers and --as-of are not in it: a cell corrected without
    changing a count keeps the fingerprint. So a re-run replaces the period's record whatever its fingerprint, and
    only says whether the policy and register look the same."""
    inputs = {"policy": policy.data, "register": {"source": register.file_name, **register.counts()}}
    return hashlib.sha256(json.dumps(inputs, sort_keys=True, default=str).encode("utf-8")).hexdigest()


def assessment_run(assessment: Assessment, recorded_at: dt.datetime, inputs: str) -> Run:
    p = assessment.period
    period = {"label": p.label, "start": p.start.isoformat(), "end": p.end.isoformat(), "as_of": assessment.as_of.isoformat()}
    return Run("assessment", assessment.landlord, period, assessment.rules_version, assessment.catalogue.code, recorded_at,
               assessment.register.file_name, inputs)


def figures_run(data: dict[str, Any], recorded_at: dt.datetime, inputs: str) -> Run:
    return Run("figures", data["landlord"], data["period"], "", data["code"], recorded_at, data["register"]["source"], inputs)


def record_assessment(history: History, assessment: Assessment, run: Run) -> str | None:
    """Store each provision's verdict and evidence kinds; the replaced record's note (see `_replace`), if any."""
    rows = [(r.provision.id, r.status, ",".join(r.evidence_kinds)) for r in assessment.results]
    with history.write() as connection:
        replaced, run_id = _replace(history, connection, run)
        connection.executemany("INSERT INTO verdicts (run_id, provision, status, evidence_kinds) VALUES (?, ?, ?, ?)",
                               [(run_id, *row) for row in rows])
    return replaced


def record_figures(history: History, data: dict[str, Any], run: Run) -> str | None:
    """Store the report's numeric figures, one row each under its dotted name (stage1.within_timescale.count)."""
    values = [(name, value) for key in FIGURES for name, value in numbers(data[key], key)]
    with history.write() as connection:
        replaced, run_id = _replace(history, connection, run)
        connection.executemany("INSERT INTO figures (run_id, name, value) VALUES (?, ?, ?)", [(run_id, *v) for v in values])
    return replaced


def numbers(node: Any, name: str) -> list[tuple[str, float | int]]:
    """Every number under `node`, by its dotted path; text, lists (names, case references) and blanks are not figures."""
    if isinstance(node, dict):
        return [pair for key, value in node.items() for pair in numbers(value, f"{name}.{key}")]
    if isinstance(node, (int, float)) and not isinstance(node, bool):
        return [(name, node)]
    return []


def _replace(history: History, connection: Any, run: Run) -> tuple[str | None, int]:
    """Delete the period's earlier record of this kind (its rows go with it) and insert this run's; one history file
    holds one landlord, so that a year is never compared with another landlord's."""
    others = [row[0] for row in connection.execute("SELECT DISTINCT landlord FROM runs WHERE landlord != ?", (run.landlord,))]
    if others:
        raise HistoryError(f"{history.path}: holds the history of {others[0]}, not of {run.landlord}: give each landlord its own history file")
    key = (run.kind, run.period["label"], run.rules_version, run.code["version"])
    earlier = connection.execute("SELECT recorded_at, input_fingerprint FROM runs WHERE kind = ? AND period_label = ? "
                                 "AND rules_version = ? AND code_version = ?", key).fetchone()
    connection.execute("DELETE FROM runs WHERE kind = ? AND period_label = ? AND rules_version = ? AND code_version = ?", key)
    cursor = connection.execute(
        "INSERT INTO runs (kind, landlord, period_label, period_start, period_end, as_of, rules_version, code_id, code_version, "
        "chc_version, recorded_at, register_source, input_fingerprint) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (run.kind, run.landlord, run.period["label"], run.period["start"], run.period["end"], run.period["as_of"], run.rules_version,
         run.code["id"], run.code["version"], __version__, run.recorded_at.isoformat(timespec="seconds"), run.register_source,
         run.fingerprint))
    replaced = None
    if earlier:
        same = "the same policy and register" if earlier[1] == run.fingerprint else "another policy or register"
        replaced = f"replacing the record made at {earlier[0]} from {same}"
    return replaced, int(cursor.lastrowid or 0)
