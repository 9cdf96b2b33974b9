"""The self-assessment: run the pipeline once and hold a verdict, evidence and remediation for every provision."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from checker.aggregates import aggregates
from checker.catalogue import Catalogue, Provision
from checker.derive import derive
from checker.errors import InputError
from checker.evaluate import evaluate_cases
from checker.infer import Outcome, provision_verdicts, rule_outcomes
from checker.period import Period
from checker.policy import Policy
from checker.register import Register
from checker.rulebook import PLACEHOLDER, Rulebook

STATUSES = ("met", "partially_met", "not_met", "not_applicable", "not_assessed")
SHOWN_IDS = 5


@dataclass
class ProvisionResult:
    provision: Provision
    heading: str
    status: str
    basis: str
    evidence: list[str]
    case_ids: list[str]
    remediation: str | None
    outcomes: list[Outcome] = field(default_factory=list)


@dataclass
class Assessment:
    landlord: str
    period: Period
    as_of: dt.date
    catalogue: Catalogue
    register: Register
    rows_in_period: int
    results: list[ProvisionResult]

    def summary(self) -> dict[str, int]:
        counts = {s: 0 for s in STATUSES}
        for r in self.results:
            counts[r.status] += 1
        return counts


def assess(policy: Policy, register: Register, catalogue: Catalogue, rulebook: Rulebook,
           period: Period, as_of: dt.date | None = None) -> Assessment:
    """Derive, evaluate, infer and explain, in that order, over one loaded register."""
    as_of = as_of or min(period.end, dt.date.today())
    _check_policy_references(policy, rulebook, catalogue)
    frame = derive(register.frame, period, as_of, policy.closure_days)
    register_facts = aggregates(frame)
    findings = evaluate_cases(frame, rulebook.rules, policy)
    outcomes = rule_outcomes(rulebook.rules, findings, policy.facts, register_facts)
    attestations = {a["provision"]: a for a in policy.attestations}
    verdicts = provision_verdicts(list(catalogue.provisions), outcomes, {p: a.get("status", "met") for p, a in attestations.items()})
    values = {**policy.facts, **register_facts}
    results = []
    for provision in catalogue.ordered():
        mine = [o for o in outcomes if provision.id in o.rule.provisions]
        results.append(_explain(provision, catalogue, verdicts[provision.id], mine,
                                attestations.get(provision.id), rulebook.attest.get(provision.id), values))
    in_period = int(frame["in_period"].sum())
    return Assessment(policy.landlord, period, as_of, catalogue, register, in_period, results)


def _explain(provision: Provision, catalogue: Catalogue, verdict: str, outcomes: list[Outcome], attestation: dict[str, Any] | None,
             guidance: str | None, values: dict[str, Any]) -> ProvisionResult:
    judged = [o for o in outcomes if o.result != "no_data"]
    evidence = [_render(o.rule.evidence, o, catalogue, values) for o in judged]
    case_ids = sorted({cid for o in judged if o.finding for cid in o.finding.case_ids})
    failing = [o for o in judged if o.result in ("fail", "partial")]
    remediation = " ".join(_render(o.rule.remediation, o, catalogue, values) for o in failing) or None
    if attestation:
        evidence.append(_attested(attestation))
    if verdict == "attested":
        status, basis = attestation["status"] if attestation.get("status") else "met", "attestation"
        if status != "met" and not failing:
            remediation = f"The policy attests {status.replace('_', ' ')}: record the plan and date to comply."
    elif verdict == "not_applicable":
        status, basis = "not_applicable", "rules"
        evidence = [o.rule.not_applicable or f"{o.rule.title}: nothing to examine in the period." for o in outcomes]
    elif verdict == "not_assessed":
        status, basis = "not_assessed", "none"
        need = guidance or "evidence that this provision is met"
        evidence = [f"No rule can test this from the register or the policy metadata. Evidence that would settle it: {need}"]
        remediation = f"Add an attestation for {provision.id} to the policy metadata, citing {need[0].lower() + need[1:]}"
    else:
        status, basis = verdict, "rules"
    return ProvisionResult(provision, catalogue.section_title(provision), status, basis, evidence, case_ids, remediation, outcomes)


def _attested(attestation: dict[str, Any]) -> str:
    documents = "; ".join(
        " ".join(filter(None, [e["document"], f"({e['date']})" if e.get("date") else None, e.get("link")]))
        for e in attestation["evidence"]
    )
    return f"Attested: {attestation['statement']} Evidence: {documents}."


def _render(template: str, outcome: Outcome, catalogue: Catalogue, values: dict[str, Any]) -> str:
    """Fill {placeholders} from the finding's figures, the Code's parameters, policy facts and register figures."""
    figures = outcome.finding.figures() if outcome.finding else {"examined": 1, "breaches": int(outcome.result == "fail")}
    params = {f"param.{k}": v for p in outcome.rule.provisions for k, v in catalogue.provisions[p].parameters.items()}
    lookup = {**values, **params, **figures}
    return PLACEHOLDER.sub(lambda m: _word(lookup.get(m.group(1))), template).strip()


def _word(value: Any) -> str:
    if value is None:
        return "not stated"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _check_policy_references(policy: Policy, rulebook: Rulebook, catalogue: Catalogue) -> None:
    """Attestations must name known provisions, once each; tolerances must name known rules."""
    problems = []
    seen: set[str] = set()
    for i, attestation in enumerate(policy.attestations):
        pid = attestation["provision"]
        if pid not in catalogue.provisions:
            problems.append(policy.doc.problem(("attestations", i, "provision"), f"unknown provision {pid}"))
        elif pid in seen:
            problems.append(policy.doc.problem(("attestations", i, "provision"), f"provision {pid} is attested twice"))
        seen.add(pid)
    known = rulebook.by_id()
    for rule_id in policy.tolerances:
        if rule_id not in known:
            problems.append(policy.doc.problem(("assessment", "tolerances", rule_id), f"unknown rule id {rule_id}"))
        elif known[rule_id].scope != "case":
            problems.append(policy.doc.problem(("assessment", "tolerances", rule_id), f"{rule_id} is a {known[rule_id].scope} rule; tolerances apply to case rules"))
    if problems:
        raise InputError(problems)
