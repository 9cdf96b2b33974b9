"""What the reports need that no complaints register holds: Ombudsman activity, learning from complaints, benchmarks.

Each is a YAML file with its own schema (checker/load/schemas/ombudsman, learning, benchmarks). They live beside the
policy as ombudsman.yaml, learning.yaml and benchmarks.yaml, or are named on the command line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checker.derive.ombudsman_facts import ombudsman_facts
from checker.derive.period import Period
from checker.errors import InputError, Problem
from checker.load.schemas import validate_doc
from checker.load.yamlfile import YamlDoc, load

FILES = {"ombudsman": "ombudsman.yaml", "learning": "learning.yaml", "benchmarks": "benchmarks.yaml"}
FINDINGS = ("severe_maladministration", "maladministration", "service_failure", "no_maladministration",
            "reasonable_redress", "outside_jurisdiction")
ORDER_STATUSES = ("complied", "in_progress", "overdue", "not_complied")
EVENTS = ("investigation_started", "outside_jurisdiction", "resolved_without_investigation", "complaint_handling_failure_order")


@dataclass
class Activity:
    """The reports' inputs beside the policy: the Ombudsman's activity, the learning log, the benchmarks."""

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
        doc = read_activity_file(path, kind)
        activity.sources[kind] = str(path)
        if kind == "ombudsman":
            activity.ombudsman = doc.data
        elif kind == "learning":
            activity.learning = doc.data["learning"]
        else:
            activity.benchmarks = doc.data
    return activity


def read_activity_file(path: Path, kind: str) -> YamlDoc:
    """One activity file, read and checked against its schema."""
    doc = load(path)
    if not isinstance(doc.data, dict):
        raise InputError([Problem(str(path), 1, None, f"the {kind} file must be a YAML mapping")])
    validate_doc(doc, kind)
    return doc


def ombudsman_beside(policy_path: Path) -> Path | None:
    """What `chc assess` judges 8.1 c, 8.4 and 9.7 c on: ombudsman.yaml beside the policy, as the reports read it."""
    path = policy_path.parent / FILES["ombudsman"]
    return path if path.is_file() else None


def read_ombudsman(path: Path) -> dict[str, Any]:
    return read_activity_file(path, "ombudsman").data


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
        **_code_activity(data, period),
        "reports": [r for r in data.get("reports", []) if _within(r["date"], period)],
    }


def _code_activity(data: dict[str, Any], period: Period) -> dict[str, Any]:
    """Complaint Handling Failure Orders by type and their compliance, the notices, the orders related to severe
    maladministration findings open in the period (9.7 c, as the rules count them) and the self-assessments asked for;
    None for what the file does not record, so a report never says "none" for what it was not told."""
    chfos = [o for o in data.get("complaint_handling_failure_orders", []) if _within(o["date"], period)]
    facts = ombudsman_facts(data, period, period.end)
    started = [s for s in data.get("self_assessments", [])
               if s["date"] <= period.end.isoformat() and not (s.get("resubmitted_on") and s["resubmitted_on"] < period.start.isoformat())]
    return {
        "failure_orders": {
            str(kind): {"total": sum(o["type"] == kind for o in chfos),
                        **{s: sum(o["type"] == kind and o["status"] == s for o in chfos) for s in ORDER_STATUSES}}
            for kind in (1, 2, 3)} if "complaint_handling_failure_orders" in data else None,
        "failure_order_details": [{k: o[k] for k in ("date", "type", "reference", "summary", "status", "complied_on") if k in o}
                                  for o in chfos],
        "failure_notices": sum(_within(n["date"], period) for n in data["complaint_handling_failure_notices"])
        if "complaint_handling_failure_notices" in data else None,
        "severe_maladministration_orders": {
            "total": facts["ombudsman.severe_maladministration_orders"],
            "complied": facts["ombudsman.severe_maladministration_orders_complied"],
            "outstanding": facts["ombudsman.severe_maladministration_orders_outstanding"]} if "determinations" in data else None,
        "self_assessments": sorted(started, key=lambda s: s["date"]) if "self_assessments" in data else None,
    }


def learning_in(entries: list[dict[str, Any]], period: Period) -> list[dict[str, Any]]:
    return sorted((e for e in entries if _within(e["date"], period)), key=lambda e: (e["date"], e["case_id"]))
