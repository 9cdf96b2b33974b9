"""What the reports need that no complaints register holds: Ombudsman activity, learning from complaints, benchmarks.

Each is a YAML file with its own schema (checker/load/schemas/ombudsman, learning, benchmarks). They live beside the
policy as ombudsman.yaml, learning.yaml and benchmarks.yaml, or are named on the command line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checker.derive.period import Period
from checker.errors import InputError, Problem
from checker.load.schemas import validate_doc
from checker.load.yamlfile import load

FILES = {"ombudsman": "ombudsman.yaml", "learning": "learning.yaml", "benchmarks": "benchmarks.yaml"}
FINDINGS = ("severe_maladministration", "maladministration", "service_failure", "no_maladministration",
            "reasonable_redress", "outside_jurisdiction")
ORDER_STATUSES = ("complied", "in_progress", "overdue", "not_complied")
EVENTS = ("investigation_started", "outside_jurisdiction", "resolved_without_investigation", "complaint_handling_failure_order")


@dataclass
class Activity:
    ombudsman: dict[str, Any] = field(default_factory=dict)
    learning: list[dict[str, Any]] = field(default_factory=list)
    benchmarks: dict[str, Any] | None = None
    sources: dict[str, str] = field(default_factory=dict)  # kind → file read


def load_activity(policy_path: Path, paths: dict[str, Path | None]) -> Activity:
    """Read each file named in `paths`, or else the one of that name beside the policy if there is one."""
    activity = Activity()
    for kind, default in FILES.items():
        path = paths.get(kind) or (policy_path.parent / default)
        if paths.get(kind) is None and not path.is_file():
            continue
        doc = load(path)
        if not isinstance(doc.data, dict):
            raise InputError([Problem(str(path), 1, None, f"the {kind} file must be a YAML mapping")])
        validate_doc(doc, kind)
        activity.sources[kind] = str(path)
        if kind == "ombudsman":
            activity.ombudsman = doc.data
        elif kind == "learning":
            activity.learning = doc.data["learning"]
        else:
            activity.benchmarks = doc.data
    return activity


def _within(day: str, period: Period) -> bool:
    return period.start.isoformat() <= day <= period.end.isoformat()


def ombudsman_figures(data: dict[str, Any], period: Period) -> dict[str, Any]:
    """The period's determinations (by date received), their findings and orders, and other activity by kind."""
    determinations = [d for d in data.get("determinations", []) if _within(d["received"], period)]
    findings = {kind: sum(f["type"] == kind for d in determinations for f in d["findings"]) for kind in FINDINGS}
    orders = [o for d in determinations for o in d.get("orders", [])]
    events = [e for e in data.get("events", []) if _within(e["date"], period)]
    return {
        "determinations": len(determinations),
        "findings": findings,
        "orders": {"total": len(orders), **{s: sum(o["status"] == s for o in orders) for s in ORDER_STATUSES}},
        "events": {kind: sum(e["kind"] == kind for e in events) for kind in EVENTS},
        "determination_details": [
            {"reference": d["reference"], "received": d["received"], "findings": d["findings"], "orders": d.get("orders", [])}
            for d in determinations
        ],
        "non_compliance_findings": [f for f in data.get("non_compliance_findings", []) if _within(f["date"], period)],
        "reports": [r for r in data.get("reports", []) if _within(r["date"], period)],
    }


def learning_in(entries: list[dict[str, Any]], period: Period) -> list[dict[str, Any]]:
    return sorted((e for e in entries if _within(e["date"], period)), key=lambda e: (e["date"], e["case_id"]))
