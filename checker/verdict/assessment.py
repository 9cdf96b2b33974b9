"""The self-assessment: run the pipeline once and hold a verdict, evidence and remediation for every provision."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import polars as pl

from checker.derive.aggregates import aggregates
from checker.derive.cases import derive, received_by
from checker.derive.dates import uk_date
from checker.derive.ombudsman_facts import OMBUDSMAN, ombudsman_facts, unrecorded
from checker.derive.period import Period, judged_at
from checker.derive.policy_dates import dated_facts
from checker.errors import InputError
from checker.load.catalogue import Catalogue, Provision
from checker.load.policy import Policy
from checker.load.register import Register, empty_register
from checker.load.rulebook import Rulebook
from checker.rules.evaluate import evaluate
from checker.verdict import reasoning
from checker.verdict.infer import Decision, Outcome, decide, rule_outcomes
from checker.verdict.statuses import STATUSES
from checker.verdict.waivers import Approvals, Waiver

if TYPE_CHECKING:
    from checker.history.diff import YearOnYear

SHOWN_IDS = 5


@dataclass(frozen=True)
class RuleResult:
    """One rule's outcome for a provision with its evidence and remediation written out."""

    outcome: Outcome
    evidence: str
    remediation: str


@dataclass
class ProvisionResult:
    """One provision's verdict, with its evidence, reasoning and remediation, as every format renders it."""

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
    reasoning: list[str] = field(default_factory=list)  # how the verdict was decided, in order (`chc explain`)
    decided_by: str = ""  # the step of the precedence that decided, in words fit to publish

    @property
    def evidence_kinds(self) -> list[str]:
        """How what decided or informed the verdict was known: the kinds of the rules that judged something, and attested."""
        kinds = {r.outcome.rule.evidence_kind for r in self.rule_results if r.outcome.result in ("pass", "fail", "partial")}
        return sorted(kinds | ({"attested"} if self.attestation else set()))

    @property
    def outcomes(self) -> list[Outcome]:
        return [r.outcome for r in self.rule_results]

    @property
    def failing(self) -> list[RuleResult]:
        return [r for r in self.rule_results if r.outcome.failing]

    @property
    def breaking(self) -> list[RuleResult]:
        """The failing rules that decide (not indicators): what a waiver of rules must cover."""
        return [r for r in self.rule_results if r.outcome.breaks]

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
    """A whole self-assessment: every provision judged over one loaded register and policy."""

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
    changes_since: YearOnYear | None = None  # with --history: what changed since the same period a year before

    def summary(self) -> dict[str, int]:
        counts = dict.fromkeys(STATUSES, 0)
        for r in self.results:
            counts[r.status] += 1
        return counts


def assess(policy: Policy, register: Register | None, catalogue: Catalogue, rulebook: Rulebook, period: Period,
           as_of: dt.date | None = None, approvals: Approvals | None = None, today: dt.date | None = None,
           ombudsman: dict[str, Any] | None = None) -> Assessment:
    """Derive, evaluate and decide, in that order, over one loaded register.

    With no register (a policy repository's CI holds no case data) only policy rules run, and provisions
    that need the register are not assessed rather than judged on nothing.
    `today` decides which waivers and tolerances are in force (default: the real date). `ombudsman` is the activity
    file's data (ombudsman.yaml), whose facts the rules on 8.1 c, 8.4 and 9.7 c read; without it they are not assessed.
    """
    today = today or dt.date.today()
    as_of = judged_at(period, as_of, today)
    approvals = approvals or Approvals()
    _check_policy_references(policy, catalogue)
    rules = rulebook.rules if register is not None else [r for r in rulebook.rules if r.scope == "policy"]
    register = received_by(register if register is not None else empty_register(), as_of)
    frame = derive(register.frame, period, as_of, policy.closure_days, register.shares_ids)
    register_facts = aggregates(frame)
    tolerances = {t.rule: t for t in approvals.tolerances if t.active(today)}
    policy_facts = {**policy.facts, **dated_facts(policy.facts, period, as_of), **ombudsman_facts(ombudsman, period, as_of)}
    outcomes = rule_outcomes(evaluate(rules, frame, policy_facts, register_facts, register.absent_columns, tolerances,
                                           register.unread_at_stage2, register.absent_at_stage1))
    attestations = {a["provision"]: a for a in policy.attestations}
    active = [w for w in approvals.waivers if w.active(today)]
    decisions = decide(list(catalogue.provisions), outcomes, {p: a.get("status", "met") for p, a in attestations.items()},
                       [w.target for w in active if w.kind == "provision"], [w.target for w in active if w.kind == "rule"])
    ran = {r.id for r in rules}
    values = {**policy_facts, **register_facts}
    results = []
    for provision in catalogue.ordered():
        mine = [o for o in outcomes if provision.id in o.rule.provisions]
        unrun = [r.id for r in rulebook.for_provision(provision.id) if r.id not in ran]
        result = _explain(provision, catalogue, decisions[provision.id], mine, attestations.get(provision.id),
                          rulebook.attest.get(provision.id), values, unrun)
        _plan(result, policy.remediation_plan.get(provision.id))
        _waive(result, decisions[provision.id], approvals.waivers, today)
        results.append(result)
    for tolerance in approvals.tolerances:
        if not tolerance.active(today):
            for result in results:
                if any(rr.outcome.rule.id == tolerance.rule for rr in result.rule_results):
                    result.notes.append(f"The tolerance for {_check(result, tolerance.rule)} ({tolerance.describe()}) is not in force "
                                        f"on {uk_date(today)}: breaches were counted in full.")
    in_period = int(frame["in_period"].sum())
    return Assessment(policy.landlord, period, as_of, catalogue, register, in_period, results, policy, rulebook.version, frame)


def _explain(provision: Provision, catalogue: Catalogue, decision: Decision, outcomes: list[Outcome], attestation: dict[str, Any] | None,
             guidance: str | None, values: dict[str, Any], unrun: list[str]) -> ProvisionResult:
    """The decision in words: evidence for the reader, reasoning for the compliance lead, remediation for a gap."""
    rule_results = [RuleResult(o, reasoning.evidence(o, catalogue, values), reasoning.render(o.rule.remediation, o, catalogue, values))
                    for o in outcomes]
    evidence = [r.evidence for r in rule_results]
    case_ids = sorted({cid for r in rule_results if r.outcome.deciding for cid in r.outcome.finding.case_ids})
    failing = [r for r in rule_results if r.outcome.breaks]
    remediation = " ".join(r.remediation for r in failing) or None
    if attestation:
        evidence.append(_attested(attestation))
    status = decision.verdict
    basis = {"attestation": "attestation", "unjudged_rule": "none", "no_evidence": "none"}.get(decision.step, "rules")
    absent = sorted({c for o in outcomes for c in o.finding.absent if not c.startswith(OMBUDSMAN)})
    unrecorded_facts = tuple(sorted({c for o in outcomes for c in o.finding.absent if c.startswith(OMBUDSMAN)}))
    if status in ("not_met", "partially_met") or (attestation and status != "met"):
        remediation = remediation or f"The policy attests {status.replace('_', ' ')}: record the plan and date to comply."
    elif decision.step == "unjudged_rule" and unrecorded_facts:
        remediation = (f"Keep the record of the Ombudsman's activity (ombudsman.yaml) complete: {unrecorded(unrecorded_facts)}. "
                       "Then assess again.")
    elif decision.step == "unjudged_rule" and absent:
        remediation = (f"Record the {', '.join(reasoning.label(c) for c in absent)} in the complaints register (a column of the "
                       "export, or mapped from one), then assess again.")
    elif decision.step == "unjudged_rule":
        remediation = "Record the blank cells of the cases in scope, then assess again."
    elif decision.step == "no_evidence" and unrun:
        evidence.append(f"Not assessed: no complaints register was given, and rules {', '.join(unrun)} need it.")
        remediation = "Run chc with --register to assess this provision from the complaints register."
    elif decision.step == "no_evidence":
        need = (guidance or "the procedure or template that shows how the duty is met whenever a case arises").rstrip(".")
        if not outcomes:
            evidence.append(f"No rule can test this from the register or the policy metadata. Evidence that would settle it: {need}.")
        remediation = f"Attest that provision {provision.id} is met, with its evidence: {need[0].lower() + need[1:]}."
    notes = [f"Judged on the policy alone: no complaints register was given, and rules {', '.join(unrun)} need it."] \
        if unrun and status != "not_assessed" else []
    steps = [reasoning.outcome_reason(o) for o in outcomes]
    if attestation:
        steps.append(f"Attestation: the policy states {attestation.get('status', 'met').replace('_', ' ')}, citing "
                     f"{len(attestation['evidence'])} document(s).")
    decided_by = reasoning.decision_reason(decision, outcomes, attestation, not unrun)
    return ProvisionResult(provision, catalogue.section_title(provision), status, basis, evidence, case_ids, remediation,
                           rule_results, attestation, notes=notes, reasoning=[*steps, decided_by], decided_by=decided_by)


def _plan(result: ProvisionResult, plan: dict[str, Any] | None) -> None:
    """Attach the landlord's own action for a gap; say so when a planned action is no longer needed."""
    if plan is None:
        return
    if result.status in ("met", "not_applicable"):
        result.notes.append(f"The remediation plan still lists an action for {result.provision.id}, which is now {result.status.replace('_', ' ')}.")
    else:
        result.plan = plan


def _check(result: ProvisionResult, rule_id: str) -> str:
    """A rule as a published note names it: by its title (the check "…"), never by its id."""
    title = next((r.outcome.rule.title for r in result.rule_results if r.outcome.rule.id == rule_id), None)
    return f"the check \u201c{title}\u201d" if title else "a check"


def _waived(result: ProvisionResult, waiver: Waiver) -> str:
    return f"provision {waiver.target}" if waiver.kind == "provision" else _check(result, waiver.target)


def _waive(result: ProvisionResult, decision: Decision, waivers: list[Waiver], today: dt.date) -> None:
    """Set the engine's waiver decision on the result, with the reasoning and the notes a reader needs."""
    rule_ids = {r.outcome.rule.id for r in result.rule_results}
    mine = [w for w in waivers if (w.kind == "provision" and w.target == result.provision.id) or (w.kind == "rule" and w.target in rule_ids)]
    for w in mine:
        if not w.active(today):
            result.notes.append(f"The waiver of {_waived(result, w)} ({w.describe()}) expired on {uk_date(w.expires)}: evaluated normally.")
    active = [w for w in mine if w.active(today)]
    if decision.waived:
        by_provision = [w for w in active if w.kind == "provision"]
        failing = {r.outcome.rule.id for r in result.breaking}
        waiver = by_provision[0] if by_provision else next(w for w in active if w.kind == "rule" and w.target in failing)
        result.verdict_without_waiver, result.status, result.waiver = result.status, "waived", waiver
        covered = f"provision {waiver.target}" if by_provision else "every failing rule"
        result.reasoning.append(f"Waived: an approved waiver of {covered} ({waiver.describe()}) sets the verdict "
                                f"{decision.verdict.replace('_', ' ')} aside.")
    elif decision.waiver_step == "partly_waived":
        waived = sorted(w.target for w in active if w.kind == "rule")
        still = sorted(r.outcome.rule.id for r in result.breaking if r.outcome.rule.id not in waived)
        message = (f"{'; '.join(_check(result, r) for r in waived).capitalize()} is waived, but "
                   f"{'; '.join(_check(result, r) for r in still)} still fails, so the waiver does not apply.")
        result.notes.append(message)
        result.reasoning.append(message)
    elif active:
        message = f"A waiver of {_waived(result, active[0])} is in place but not needed: the provision is {result.status.replace('_', ' ')}."
        result.notes.append(message)
        result.reasoning.append(message)


def _attested(attestation: dict[str, Any]) -> str:
    documents = "; ".join(
        " ".join(filter(None, [e["document"], f"({e['date']})" if e.get("date") else None, e.get("link")]))
        for e in attestation["evidence"]
    )
    return f"Attested: {attestation['statement']} Evidence: {documents}."


def _check_policy_references(policy: Policy, catalogue: Catalogue) -> None:
    """Attestations and plan entries must name known provisions, once each."""
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
    if problems:
        raise InputError(problems)
