"""Appendix 1 as CSV: one row per provision with every field, for a landlord's own reporting or database.

Evidence and commentary are the Appendix's own paragraphs (joined with " | "), so the CSV says what the
published form says; case_ids lists every case, where the form shows the first few.
Written by the csv module: UTF-8 without a BOM, "\\r\\n" line endings, quoting where needed.
Formula injection: a spreadsheet opening the file runs a cell that begins with =, +, -, @, tab or CR as a
formula, so such a value is written with a leading single quote (OWASP's advice); the quote is then visible.
"""

from __future__ import annotations

import csv
import io

from checker.render.appendix import FORMULA_START, build_appendix
from checker.render.formats import Context
from checker.verdict.assessment import Assessment, ProvisionResult

COLUMNS = (
    "landlord", "period", "code_version", "rules_version", "generated_at", "provision", "section_heading", "title",
    "requirement", "modal", "wording_uncertain", "status", "comply", "basis", "evidence_kinds", "evidence", "commentary",
    "reasoning", "case_ids", "remediation", "plan_action", "plan_owner", "plan_target_date", "waiver_justification", "waiver_approved_by",
    "waiver_expires", "rules",
)


def render_csv(assessment: Assessment, context: Context) -> str:
    appendix = build_appendix(assessment, context.generated_at, context.case_refs)
    rows = {row.provision: row for table in appendix.tables for row in table.rows}
    common = {
        "landlord": assessment.landlord,
        "period": assessment.period.label,
        "code_version": str(assessment.catalogue.code["version"]),
        "rules_version": assessment.rules_version,
        "generated_at": context.generated_at.isoformat(timespec="seconds"),
    }
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    for result in assessment.results:
        row = rows[result.provision.id]
        record = {**common, **_fields(result), "evidence": " | ".join(row.evidence), "commentary": " | ".join(row.commentary),
                  "comply": row.comply}
        writer.writerow({key: _safe(value) for key, value in record.items()})
    for number, reasons in assessment.register.skipped_rows:  # rows left out with --skip-bad-rows, so the counts add up
        writer.writerow({key: _safe(value) for key, value in {**common, "status": "row_skipped", "evidence": f"row {number}",
                                                                "commentary": " | ".join(reasons)}.items()})
    return out.getvalue()


def _fields(r: ProvisionResult) -> dict[str, str]:
    plan, waiver = r.plan or {}, r.waiver
    return {
        "provision": r.provision.id,
        "section_heading": r.heading,
        "title": r.provision.title,
        "requirement": r.provision.requirement,
        "modal": r.provision.modal,
        "wording_uncertain": "true" if r.provision.uncertain else "false",
        "status": r.status,
        "basis": r.basis,
        "evidence_kinds": ";".join(r.evidence_kinds),
        "reasoning": " | ".join(r.reasoning),
        "case_ids": ";".join(r.case_ids),
        "remediation": r.remediation or "",
        "plan_action": plan.get("action", ""),
        "plan_owner": plan.get("owner", ""),
        "plan_target_date": str(plan.get("target_date") or ""),
        "waiver_justification": waiver.justification if waiver else "",
        "waiver_approved_by": (waiver.approved_by or "") if waiver else "",
        "waiver_expires": waiver.expires.isoformat() if waiver and waiver.expires else "",
        "rules": ";".join(f"{rr.outcome.rule.id}={rr.outcome.result}" for rr in r.rule_results),
    }


def _safe(value: str) -> str:
    return f"'{value}" if value.startswith(FORMULA_START) else value
