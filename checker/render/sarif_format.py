"""SARIF 2.1.0 for GitHub code scanning: a result per failing rule of each provision the gate fails.

Rules are every rule that ran, plus a pseudo-rule CHC-PROVISION-<id> for a provision that fails without a
failing rule (an attested not met, or not assessed when the gate fails on it). Levels follow severity:
critical and high → error, medium → warning, low → note; a partial outcome is at most a warning.
A provision the gate would fail but which is waived keeps its results, with an external, accepted
suppression carrying the waiver's justification, so code scanning shows the alert as dismissed.

Every result points into the policy file, the one artifact a policy repository holds:
- the artifact is the policy path relative to the working directory (with uriBaseId %SRCROOT%) when it is
  inside it, else the path as given (a relative path keeps %SRCROOT%; an absolute one becomes a file:// URI);
- the line is that of the rule's first policy field (policy.line_of); for a rule that reads no policy
  field (a case or register rule) or a pseudo-rule: the provision's attestation if the policy has one,
  else `policy.stages` for section 6 (the stage time limits), else the `policy` key.
Fingerprints (chcFinding/v1) hash the rule id, the provision id and the policy file's name, so an alert
survives line moves and reruns. Nothing depends on the clock: the output is byte-identical for the same input.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

from checker import __version__
from checker.load.policy import Policy
from checker.render import markdown_layout as md
from checker.render.formats import Context
from checker.verdict.assessment import Assessment, ProvisionResult, RuleResult

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "note"}
# SARIF's precision follows how a finding was known: counted in the register, read from the policy, stated by the
# landlord, or an indicator that only flags cases for a person to review
PRECISION = {"measured": "very-high", "declared": "high", "attested": "medium", "heuristic": "low"}
PSEUDO_LEVELS = {"not_met": "error", "partially_met": "warning", "not_assessed": "warning", "not_applicable": "note"}
MAX_DESCRIPTION = 1024  # GitHub's limit on short and full descriptions


def render_sarif(assessment: Assessment, context: Context) -> str:
    policy = assessment.policy
    artifact = _artifact(policy.doc.path)
    rules: dict[str, dict[str, Any]] = {}
    results: list[dict[str, Any]] = []
    for r in assessment.results:
        for rr in r.rule_results:
            rules.setdefault(rr.outcome.rule.id, _rule(rr, assessment))
        if not _gated(r, context):
            continue
        if r.failing:
            for rr in r.failing:
                rule = rr.outcome.rule
                level = LEVELS[rule.severity]
                level = "warning" if rr.outcome.result == "partial" and level == "error" else level
                level = "note" if rule.evidence_kind == "heuristic" else level
                ids = list(rr.outcome.finding.case_ids) if rr.outcome.finding else []
                line = policy.line_of(rule.policy_fields[0]) if rule.policy_fields else _fallback_line(policy, r)
                results.append(_result(rule.id, level, r, rr.evidence, ids, rr.remediation, artifact, line, policy))
                results[-1]["properties"] |= {"rule_result": rr.outcome.result, "evidence_kind": rule.evidence_kind}
        else:
            pseudo = f"CHC-PROVISION-{r.provision.id}"
            rules.setdefault(pseudo, _pseudo_rule(pseudo, r))
            results.append(_result(pseudo, PSEUDO_LEVELS.get(r.rules_verdict, "warning"), r, " ".join(r.evidence), r.case_ids,
                                   r.remediation, artifact, _fallback_line(policy, r), policy))
    index = {rule_id: i for i, rule_id in enumerate(rules)}
    for result in results:
        result["ruleIndex"] = index[result["ruleId"]]
    code = assessment.catalogue.code
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "chc", "semanticVersion": __version__, "rules": list(rules.values())}},
            "invocations": [{"executionSuccessful": True, "toolExecutionNotifications": [
                {"level": "warning", "message": {"text": f"register row {row} skipped: {'; '.join(reasons)}"}}
                for row, reasons in assessment.register.skipped_rows]}],
            "results": results,
            "properties": {
                "landlord": assessment.landlord, "period": assessment.period.label,
                "code": f"{code['title']} {code['version']}", "rules_version": assessment.rules_version,
                "fail_on": sorted(context.gate.fail_on), "register": assessment.register.accounting(),
            },
        }],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def _gated(r: ProvisionResult, context: Context) -> bool:
    """The gate fails this provision, or would fail it but for its waiver."""
    return context.gate.fails(r, r.rules_verdict)


def _result(rule_id: str, level: str, r: ProvisionResult, evidence: str, case_ids: list[str], remediation: str | None,
            artifact: dict[str, str], line: int, policy: Policy) -> dict[str, Any]:
    text = f"Provision {r.provision.id} ({r.rules_verdict.replace('_', ' ')}): {evidence}"
    if case_ids:
        text += f" Cases: {', '.join(case_ids)}."
    if remediation:
        text += f" Remediation: {remediation}"
    if r.plan:
        text += f" Planned: {r.plan_summary}"
    fingerprint = hashlib.sha256(f"{rule_id}\0{r.provision.id}\0{policy.doc.path.name}".encode()).hexdigest()
    properties: dict[str, Any] = {"provision": r.provision.id, "verdict": r.status, "case_ids": case_ids}
    if r.verdict_without_waiver:
        properties["verdict_without_waiver"] = r.verdict_without_waiver
    result: dict[str, Any] = {
        "ruleId": rule_id,
        "ruleIndex": -1,
        "level": level,
        "message": {"text": text},
        "locations": [{"physicalLocation": {"artifactLocation": artifact, "region": {"startLine": line}}}],
        "partialFingerprints": {"chcFinding/v1": fingerprint},
        "properties": properties,
    }
    if r.status == "waived" and r.waiver:
        result["suppressions"] = [{"kind": "external", "status": "accepted", "justification": r.waiver.justification}]
    return result


def _rule(rr: RuleResult, assessment: Assessment) -> dict[str, Any]:
    rule = rr.outcome.rule
    provisions = [assessment.catalogue.provisions[p] for p in rule.provisions]
    requirement = " ".join(f"{p.id}: {p.requirement}" for p in provisions)
    cited = "; ".join(f"{p.id} {p.title}" for p in provisions)
    return {
        "id": rule.id,
        "name": _camel(rule.title),
        "shortDescription": {"text": _cut(rule.title)},
        "fullDescription": {"text": _cut(requirement)},
        "help": {"text": f"{rr.remediation}\n\nComplaint Handling Code {requirement}",
                 "markdown": f"{md.text(rr.remediation)}\n\n**Complaint Handling Code {md.inline(cited)}**\n\n"
                             + "\n\n".join(f"> {p.id}: {md.inline(p.requirement)}" for p in provisions)},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {"tags": ["complaint-handling-code", *[f"provision-{p.id}" for p in provisions]],
                       "precision": PRECISION[rule.evidence_kind], "evidence_kind": rule.evidence_kind,
                       "severity": rule.severity, "scope": rule.scope},
    }


def _pseudo_rule(rule_id: str, r: ProvisionResult) -> dict[str, Any]:
    p = r.provision
    remediation = r.remediation or "Record how this provision is met in the policy metadata."
    return {
        "id": rule_id,
        "name": _camel(f"Provision {p.id} {p.title}"),
        "shortDescription": {"text": _cut(f"{p.id} {p.title}")},
        "fullDescription": {"text": _cut(p.requirement)},
        "help": {"text": f"{remediation}\n\nComplaint Handling Code {p.id}: {p.requirement}",
                 "markdown": f"{md.text(remediation)}\n\n**Complaint Handling Code {p.id} {md.inline(p.title)}**\n\n> {md.text(p.requirement)}"},
        "defaultConfiguration": {"level": PSEUDO_LEVELS.get(r.rules_verdict, "warning")},
        "properties": {"tags": ["complaint-handling-code", f"provision-{p.id}"], "precision": _precision(r.evidence_kinds),
                       "evidence_kinds": r.evidence_kinds},
    }


def _precision(kinds: list[str]) -> str:
    """The weakest of the ways a provision's verdict was known; an unassessed provision is known only to be open."""
    ranked = list(PRECISION.values())
    return max((PRECISION[k] for k in kinds), key=ranked.index, default="medium")


def _fallback_line(policy: Policy, r: ProvisionResult) -> int:
    """The attestation of the provision, else policy.stages for section 6, else the `policy` key."""
    for i, attestation in enumerate(policy.attestations):
        if attestation["provision"] == r.provision.id:
            return policy.doc.line(("attestations", i)) or 1
    return policy.line_of("policy.stages" if r.provision.section == "6" else "policy")


def _artifact(path: Path) -> dict[str, str]:
    try:
        return {"uri": path.resolve().relative_to(Path.cwd().resolve()).as_posix(), "uriBaseId": "%SRCROOT%"}
    except ValueError:
        pass
    return {"uri": path.as_uri()} if path.is_absolute() else {"uri": path.as_posix(), "uriBaseId": "%SRCROOT%"}


def _camel(text: str) -> str:
    return "".join(w[:1].upper() + w[1:] for w in re.findall(r"[A-Za-z0-9]+", text))


def _cut(text: str) -> str:
    return text if len(text) <= MAX_DESCRIPTION else text[:MAX_DESCRIPTION - 1] + "…"
