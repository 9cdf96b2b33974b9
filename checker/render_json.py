"""The self-assessment as JSON, the source of truth for other tools; shape in checker/schemas/assessment.schema.json."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from checker import __version__
from checker.assessment import Assessment


def assessment_dict(assessment: Assessment, generated_at: dt.datetime) -> dict[str, Any]:
    code = assessment.catalogue.code
    return {
        "tool": {"name": "chc", "version": __version__},
        "generated_at": generated_at.isoformat(timespec="seconds"),
        "landlord": assessment.landlord,
        "period": {"label": assessment.period.label, "start": assessment.period.start.isoformat(),
                   "end": assessment.period.end.isoformat(), "as_of": assessment.as_of.isoformat()},
        "code": {"id": code["id"], "title": code["title"], "version": code["version"]},
        "register": {
            "source": assessment.register.source,
            "rows_read": assessment.register.rows_read,
            "rows_assessed": assessment.register.frame.height,
            "rows_in_period": assessment.rows_in_period,
            "ignored_columns": assessment.register.ignored_columns,
        },
        "summary": assessment.summary(),
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
                "evidence": r.evidence,
                "case_ids": r.case_ids,
                "remediation": r.remediation,
                "rules": [
                    {
                        "id": o.rule.id, "title": o.rule.title, "scope": o.rule.scope, "severity": o.rule.severity,
                        "result": o.result,
                        "examined": o.finding.examined if o.finding else None,
                        "breaches": o.finding.breaches if o.finding else None,
                        "compliance_pct": o.finding.compliance_pct if o.finding else None,
                        "tolerance_pct": o.finding.tolerance_pct if o.finding else None,
                        "case_ids": list(o.finding.case_ids) if o.finding else [],
                        "policy_fields": o.rule.policy_fields,
                    }
                    for o in r.outcomes
                ],
            }
            for r in assessment.results
        ],
    }


def render_json(assessment: Assessment, generated_at: dt.datetime) -> str:
    return json.dumps(assessment_dict(assessment, generated_at), indent=2, ensure_ascii=False) + "\n"
