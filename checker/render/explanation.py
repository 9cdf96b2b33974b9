"""`chc explain`: one provision's verdict told for a person, in the order the decision was made.

It answers "why is 6.4 Yes?": each rule's outcome with how it was known and its counts, any attestation, the
step of the precedence that decided, any tolerance or waiver, then the evidence and what to do.
"""

from __future__ import annotations

import textwrap

from checker.verdict.assessment import Assessment, ProvisionResult

WIDTH = 100


def explain_text(assessment: Assessment, provision_id: str) -> str:
    """The explanation of one provision of an assessment (the caller checks the provision exists)."""
    r = next(result for result in assessment.results if result.provision.id == provision_id)
    lines = [f"{r.provision.id} {r.provision.title}", f"Verdict: {_status(r)}",
             f"Known by: {', '.join(r.evidence_kinds) or 'nothing: no rule judged it and nothing attests it'}",
             f"Period: {assessment.period.label}; open cases judged as at {assessment.as_of.isoformat()}", "", "Reasoning:"]
    lines += [_wrap(f"{n}. {step}", "   ") for n, step in enumerate(r.reasoning, 1)]
    lines += ["", "Evidence:"] + [_wrap(f"- {e}", "  ") for e in r.evidence]
    if r.case_ids:
        lines.append(_wrap(f"- Cases in breach: {', '.join(r.case_ids)}", "  "))
    unknown = sorted({cid for rr in r.rule_results for cid in rr.outcome.finding.unknown_case_ids})
    if unknown:
        lines.append(_wrap(f"- Cases that could not be judged from what the register records: {', '.join(unknown)}", "  "))
    if r.remediation and r.status not in ("met", "waived"):
        lines += ["", "What to do:", _wrap(r.remediation, "")]
    if r.notes:
        lines += ["", "Notes:"] + [_wrap(f"- {note}", "  ") for note in r.notes]
    return "\n".join(lines) + "\n"


def _status(r: ProvisionResult) -> str:
    status = r.status.replace("_", " ")
    return f"{status} (without the waiver: {r.verdict_without_waiver.replace('_', ' ')})" if r.verdict_without_waiver else status


def _wrap(text: str, indent: str) -> str:
    return textwrap.fill(text, WIDTH, subsequent_indent=indent, break_on_hyphens=False, break_long_words=False)
