"""The self-assessment as JSON, the source of truth for other tools; shape in checker/load/schemas/assessment.schema.json."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from checker import __version__
from checker.render.formats import Context
from checker.verdict.assessment import Assessment, RuleResult
from checker.verdict.tolerances import Tolerance
from checker.verdict.waivers import Waiver


def assessment_dict(assessment: Assessment, generated_at: dt.datetime) -> dict[str, Any]:
    code = assessment.catalogue.code
    since = assessment.changes_since
    changes = {"changes_since": {"period": since.period, "recorded_at": since.recorded_at, "changes": [
        {"provision": c.provision, "before": c.before, "now": c.now, "change": c.change} for c in since.changes]}} if since else {}
    return {
        "tool": {"name": "chc", "version": __version__},
        "generated_at": generated_at.isoformat(timespec="seconds"),
        "landlord": assessment.landlord,
        "period": {"label": assessment.period.label, "start": assessment.period.start.isoformat(),
                   "end": assessment.period.end.isoformat(), "as_of": assessment.as_of.isoformat()},
        "code": {"id": code["id"], "title": code["title"], "version": code["version"]},
        "rules_version": assessment.rules_version,
        "register": {
            "source": assessment.register.file_name,
            **assessment.register.counts(),
            "rows_in_period": assessment.rows_in_period,
            "ignored_columns": len(assessment.register.ignored_columns),  # counted, never listed: a heading can hold personal data
            "skipped_rows": [{"row": row, "reasons": reasons} for row, reasons in assessment.register.skipped_rows],
        },
        "summary": assessment.summary(),
        **changes,
        "provisions": [
            {
                "id": r.provision.id,
                "section": r.provision.section,
                "heading": r.heading,
                "title": r.provision.title,
                "requirement": r.provision.requirement,
                "modal": r.provision.modal,
                "wording_uncertain": r.provision.uncertain,
                "status": r.status,
                "basis": r.basis,
                "evidence_kinds": r.evidence_kinds,
                "reasoning": r.reasoning,
                "evidence": r.evidence,
                "case_ids": r.case_ids,
                "remediation": r.remediation,
                "verdict_without_waiver": r.verdict_without_waiver,
                "waiver": _waiver(r.waiver),
                "plan": {"action": r.plan["action"], "owner": r.plan.get("owner"), "target_date": r.plan.get("target_date")} if r.plan else None,
                "notes": r.notes,
                "outcomes": [_outcome(rr) for rr in r.rule_results],
                "rules": [_rule(rr) for rr in r.rule_results],
            }
            for r in assessment.results
        ],
    }


def _outcome(rr: RuleResult) -> dict[str, Any]:
    """The contract other tools read: a rule's result, how it was known and, for a case rule, its counts and cases."""
    o, f = rr.outcome, rr.outcome.finding
    counts = {"examined": f.examined, "breaches": f.breaches, "unknown": f.unknown, "case_ids": list(f.case_ids),
              "unknown_case_ids": list(f.unknown_case_ids)} if o.rule.scope == "case" else {}
    return {"rule": o.rule.id, "result": o.result, "evidence_kind": o.rule.evidence_kind, **counts,
            "absent_columns": list(f.absent)}


def _rule(rr: RuleResult) -> dict[str, Any]:
    o = rr.outcome
    case = o.rule.scope == "case"
    return {
        "id": o.rule.id, "title": o.rule.title, "scope": o.rule.scope, "severity": o.rule.severity,
        "result": o.result,
        "examined": o.finding.examined if case else None,
        "breaches": o.finding.breaches if case else None,
        "compliance_pct": o.finding.compliance_pct if case else None,
        "tolerance": _tolerance(o.finding.tolerance) if o.finding.tolerance else None,
        "allowed_breaches": o.finding.allowed if case else None,
        "case_ids": list(o.finding.case_ids),
        "policy_fields": o.rule.policy_fields,
        "evidence": rr.evidence,
        "remediation": rr.remediation,
    }


def _tolerance(t: Tolerance) -> dict[str, Any]:
    return {"compliance_pct": float(t.compliance_pct), "justification": t.justification, "approved_by": t.approved_by,
            "approved_on": t.approved_on.isoformat(), "expires": t.expires.isoformat(), "source": f"{Path(t.file).name}:{t.line}"}


def _waiver(w: Waiver | None) -> dict[str, Any] | None:
    if w is None:
        return None
    return {
        "kind": w.kind, "target": w.target, "justification": w.justification, "approved_by": w.approved_by,
        "approved_on": w.approved_on.isoformat() if w.approved_on else None,
        "expires": w.expires.isoformat() if w.expires else None, "source": f"{Path(w.file).name}:{w.line}",
    }


def render_json(assessment: Assessment, context: Context) -> str:
    return json.dumps(assessment_dict(assessment, context.generated_at), indent=2, ensure_ascii=False) + "\n"
