"""The self-assessment: run the pipeline once and hold a verdict, evidence and remediation for every provision."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from checker.derive.aggregates import aggregates
from checker.derive.cases import derive
from checker.derive.dates import uk_date
from checker.derive.period import Period
from checker.errors import InputError
from checker.load.catalogue import Catalogue, Provision
from checker.load.policy import Policy
from checker.load.register import Register, empty_register
from checker.load.rulebook import PLACEHOLDER, Rulebook
from checker.rules.evaluate import evaluate_cases
from checker.verdict.infer import Outcome, provision_verdicts, rule_outcomes
from checker.verdict.waivers import Waiver

STATUSES = ("met", "partially_met", "not_met", "waived", "not_applicable", "not_assessed")
WAIVABLE = ("not_met", "partially_met", "not_assessed")
SHOWN_IDS = 5


@dataclass(frozen=True)
class RuleResult:
    """One rule's outcome for a provision with its evidence and remediation written out."""

    outcome: Outcome
    evidence: str
    remediation: str


@dataclass
class ProvisionResult:
    provision: Provision
    heading: str
    status: str
    basis: str
    evidence: list[str]
    case_ids: list[str]
    remediation: str | None
    rule_results: list[RuleResult] = field(default_factory=list)
    attestation: dict[str, Any] | None = None
    plan: dict[str, Any] | None = None
    waiver: Waiver | None = None
    verdict_without_waiver: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def outcomes(self) -> list[Outcome]:
        return [r.outcome for r in self.rule_results]

    @property
    def failing(self) -> list[RuleResult]:
        return [r for r in self.rule_results if r.outcome.failing]

    @property
    def rules_verdict(self) -> str:
        """The verdict the rules gave: the status, or for a waived provision the verdict the waiver set aside."""
        return self.verdict_without_waiver or self.status

    @property
    def plan_summary(self) -> str:
        """The remediation plan in one line, for the CI formats (the Appendix words it for a reader instead)."""
        plan = self.plan or {}
        return f"{plan['action']} (owner: {plan.get('owner') or 'not stated'}; target date: {plan.get('target_date') or 'not stated'})"


@dataclass
class Assessment:
    landlord: str
    period: Period
    as_of: dt.date
    catalogue: Catalogue
    register: Register
    rows_in_period: int
    results: list[ProvisionResult]
    policy: Policy
    rules_version: str
    derived: pl.DataFrame = field(repr=False, compare=False)  # the register as derive() gave it: the annual report's figures reuse it

    def summary(self) -> dict[str, int]:
        counts = dict.fromkeys(STATUSES, 0)
        for r in self.results:
            counts[r.status] += 1
        return counts


def assess(policy: Policy, register: Register | None, catalogue: Catalogue, rulebook: Rulebook, period: Period,
           as_of: dt.date | None = None, waivers: list[Waiver] | None = None, today: dt.date | None = None) -> Assessment:
    """Derive, evaluate, infer and explain, in that order, over one loaded register; then apply waivers.

    With no register (a policy repository's CI holds no case data) only policy rules run, and provisions
    that need the register are not assessed rather than judged on nothing.
    `today` decides which waivers have expired (default: the real date).
    """
    today = today or dt.date.today()
    as_of = as_of or min(period.end, today)
    _check_policy_references(policy, rulebook, catalogue)
    rules = rulebook.rules if register is not None else [r for r in rulebook.rules if r.scope == "policy"]
    register = register if register is not None else empty_register()
    frame = derive(register.frame, period, as_of, policy.closure_days)
    register_facts = aggregates(frame)
    findings = evaluate_cases(frame, rules, policy)
    outcomes = rule_outcomes(rules, findings, policy.facts, register_facts)
    attestations = {a["provision"]: a for a in policy.attestations}
    plans = policy.remediation_plan
    ran = {r.id for r in rules}
    verdicts = provision_verdicts(list(catalogue.provisions), outcomes, {p: a.get("status", "met") for p, a in attestations.items()})
    values = {**policy.facts, **register_facts}
    results = []
    for provision in catalogue.ordered():
        mine = [o for o in outcomes if provision.id in o.rule.provisions]
        unrun = [r.id for r in rulebook.for_provision(provision.id) if r.id not in ran]
        result = _explain(provision, catalogue, verdicts[provision.id], mine,
                          attestations.get(provision.id), rulebook.attest.get(provision.id), values, unrun)
        _plan(result, plans.get(provision.id))
        _waive(result, waivers or [], today)
        results.append(result)
    in_period = int(frame["in_period"].sum())
    return Assessment(policy.landlord, period, as_of, catalogue, register, in_period, results, policy, rulebook.version, frame)


def _explain(provision: Provision, catalogue: Catalogue, verdict: str, outcomes: list[Outcome], attestation: dict[str, Any] | None,
             guidance: str | None, values: dict[str, Any], unrun: list[str]) -> ProvisionResult:
    rule_results = [RuleResult(o, _render(o.rule.evidence, o, catalogue, values), _render(o.rule.remediation, o, catalogue, values))
                    for o in outcomes]
    judged = [r for r in rule_results if r.outcome.result != "no_data"]
    evidence = [r.evidence for r in judged]
    case_ids = sorted({cid for r in judged if r.outcome.finding for cid in r.outcome.finding.case_ids})
    failing = [r for r in judged if r.outcome.failing]
    remediation = " ".join(r.remediation for r in failing) or None
    if attestation:
        evidence.append(_attested(attestation))
    if verdict == "attested":
        assert attestation is not None  # the engine gives "attested" only to a provision with an attestation
        status, basis = attestation["status"] if attestation.get("status") else "met", "attestation"
        if status != "met" and not failing:
            remediation = f"The policy attests {status.replace('_', ' ')}: record the plan and date to comply."
    elif verdict == "not_applicable":
        status, basis = "not_applicable", "rules"
        evidence = [o.rule.not_applicable or f"{o.rule.title}: nothing to examine in the period." for o in outcomes]
    elif verdict == "not_assessed" and unrun:
        status, basis = "not_assessed", "none"
        evidence = [f"Not assessed: no complaints register was given, and rules {', '.join(unrun)} need it."]
        remediation = "Run chc with --register to assess this provision from the complaints register."
    elif verdict == "not_assessed":
        status, basis = "not_assessed", "none"
        need = guidance or "evidence that this provision is met"
        evidence = [f"No rule can test this from the register or the policy metadata. Evidence that would settle it: {need}"]
        remediation = f"Add an attestation for {provision.id} to the policy metadata, citing {need[0].lower() + need[1:]}"
    else:
        status, basis = verdict, "rules"
    notes = [f"Judged on the policy alone: no complaints register was given, and rules {', '.join(unrun)} need it."] \
        if unrun and status != "not_assessed" else []
    return ProvisionResult(provision, catalogue.section_title(provision), status, basis, evidence, case_ids, remediation,
                           rule_results, attestation, notes=notes)


def _plan(result: ProvisionResult, plan: dict[str, Any] | None) -> None:
    """Attach the landlord's own action for a gap; say so when a planned action is no longer needed."""
    if plan is None:
        return
    if result.status in ("met", "not_applicable"):
        result.notes.append(f"The remediation plan still lists an action for {result.provision.id}, which is now {result.status.replace('_', ' ')}.")
    else:
        result.plan = plan


def _waive(result: ProvisionResult, waivers: list[Waiver], today: dt.date) -> None:
    """Overlay waivers on the inferred verdict: a provision waiver, or waivers covering every failing rule."""
    rule_ids = {r.outcome.rule.id for r in result.rule_results}
    mine = [w for w in waivers if (w.kind == "provision" and w.target == result.provision.id) or (w.kind == "rule" and w.target in rule_ids)]
    for w in mine:
        if not w.active(today):
            result.notes.append(f"The waiver of {w.kind} {w.target} ({w.describe()}) expired on {uk_date(w.expires)}: evaluated normally.")
    active = [w for w in mine if w.active(today)]
    if not active:
        return
    if result.status not in WAIVABLE:
        result.notes.append(f"A waiver of {active[0].kind} {active[0].target} is in place but not needed: the provision is {result.status.replace('_', ' ')}.")
        return
    by_provision = next((w for w in active if w.kind == "provision"), None)
    by_rule = {w.target: w for w in active if w.kind == "rule"}
    uncovered = [r.outcome.rule.id for r in result.failing if r.outcome.rule.id not in by_rule]
    waiver = by_provision or (by_rule[result.failing[0].outcome.rule.id] if result.failing and not uncovered else None)
    if waiver is None:
        result.notes.append(f"Rule {', '.join(sorted(by_rule))} is waived, but {', '.join(uncovered) or 'the provision'} still fails, "
                            "so the waiver does not apply.")
        return
    result.verdict_without_waiver, result.status, result.waiver = result.status, "waived", waiver


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
    """Attestations and plan entries must name known provisions, once each; tolerances must name known rules."""
    problems = []
    for key, twice in (("attestations", "is attested twice"), ("remediation_plan", "has two plan entries; merge them")):
        seen: set[str] = set()
        for i, item in enumerate(policy.data.get(key, [])):
            pid = item["provision"]
            if pid not in catalogue.provisions:
                problems.append(policy.doc.problem((key, i, "provision"), f"unknown provision {pid}"))
            elif pid in seen:
                problems.append(policy.doc.problem((key, i, "provision"), f"provision {pid} {twice}"))
            seen.add(pid)
    known = rulebook.by_id()
    for rule_id in policy.tolerances:
        if rule_id not in known:
            problems.append(policy.doc.problem(("assessment", "tolerances", rule_id), f"unknown rule id {rule_id}"))
        elif known[rule_id].scope != "case":
            problems.append(policy.doc.problem(("assessment", "tolerances", rule_id),
                                               f"{rule_id} is a {known[rule_id].scope} rule; tolerances apply to case rules"))
    if problems:
        raise InputError(problems)
