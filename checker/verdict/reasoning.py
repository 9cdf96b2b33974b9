"""The words of a decision: each outcome's evidence, labelled by how it was known, and the reasoning in the order
the engine decided, so that "why is 6.4 Yes?" has an answer a person can check.

Evidence is published (the Appendix), so it names columns by their label and never a file or field name;
reasoning is for the compliance lead (`chc explain`, the JSON) and names rule ids and register columns.
"""

from __future__ import annotations

import re
from typing import Any

from checker.derive.ombudsman_facts import OMBUDSMAN, unrecorded
from checker.load.catalogue import Catalogue
from checker.load.rulebook import PLACEHOLDER, Rule
from checker.load.schemas import contract
from checker.rules.evaluate import unknown_if_blank
from checker.verdict.infer import Decision, Outcome

ENUMERATED = re.compile(r"[a-z]+(?:_[a-z]+)+")
KIND_LABEL = {
    "measured": "Measured from the register", "declared": "Declared in the policy", "attested": "Attested",
    "heuristic": "Indicator for review (never a verdict on its own)",
}
STEP = {
    "breach": "a measured or declared rule found breaches beyond any approved tolerance, and a breach decides first",
    "tolerance": "the breaches found are within an approved tolerance, and no rule failed outright",
    "attestation": "an attestation decides, as no measured or declared rule found a breach",
    "unjudged_rule": "a rule this provision needs could not be judged, and no attestation covers it",
    "passed": "every measured or declared rule that judged it passed, none failed and none went unjudged",
}


def label(column: str) -> str:
    """A register column as a reader names it ("date acknowledged"), from the register contract."""
    return str(contract().get(column, {}).get("x-label", column.replace("_", " ")))


def evidence(outcome: Outcome, catalogue: Catalogue, values: dict[str, Any]) -> str:
    """One outcome's evidence sentence, opening with how it was known."""
    rule, finding = outcome.rule, outcome.finding
    if outcome.reason == "absent" and finding.absent[0].startswith(OMBUDSMAN):
        return f"Not assessed: {unrecorded(finding.absent)}."
    if outcome.reason == "absent":
        return f"Not assessed: the register has no {_columns(finding.absent)} column."
    blanks = _blanks(rule)
    if outcome.reason == "blank":
        why = f"each where {blanks}" if blanks else "none could be judged from what the register records"
        return f"Not assessed: {_cases(finding.unknown)} in scope, {why} ({rule.title[0].lower() + rule.title[1:]})."
    if outcome.result == "no_data":
        said = rule.not_applicable or f"{rule.title}: no case arose in the period."
        return f"{KIND_LABEL[rule.evidence_kind]}: {said}"
    template = rule.evidence_fail if outcome.result == "fail" and rule.evidence_fail else rule.evidence
    kind = KIND_LABEL[rule.evidence_kind]
    if any(name.startswith(OMBUDSMAN) for name in rule.policy_fields):
        kind = "Declared in the policy and the record of the Ombudsman's activity"
    text = f"{kind}: {render(template, outcome, catalogue, values)}"
    if finding.unknown:
        why = f"as {blanks}" if blanks else "from what the register records"
        further = "A further case" if finding.unknown == 1 else f"A further {_cases(finding.unknown)}"
        text += (f" {further} could not be judged {why}, and "
                 f"{'are' if finding.unknown != 1 else 'is'} counted neither as compliant nor as a breach.")
    return text


def outcome_reason(outcome: Outcome) -> str:
    """One line of reasoning for an outcome: the rule, how it was known, its counts and its result."""
    rule, finding = outcome.rule, outcome.finding
    head = f"{rule.id} ({rule.evidence_kind})"
    if outcome.reason == "absent" and finding.absent[0].startswith(OMBUDSMAN):
        return f"{head}: not assessed, as {unrecorded(finding.absent)} (ombudsman.yaml: {', '.join(f'`{c}`' for c in finding.absent)})."
    if outcome.reason == "absent":
        return f"{head}: not assessed, as the register has no {', '.join(f'`{c}`' for c in finding.absent)} column."
    if rule.scope != "case":
        judged = "the policy" if rule.scope == "policy" else "the register's figures"
        return f"{head}: checked against {judged}: {_result(outcome)}."
    counts = f"{finding.examined} examined, {finding.breaches} in breach, {finding.unknown} unknown"
    tolerance = ""
    if finding.tolerance and finding.breaches:
        tolerance = f"; the tolerance of {finding.tolerance.describe()} allows {finding.allowed} in {finding.examined}"
    if outcome.reason == "blank":
        return f"{head}: {counts}: not assessed, as every case in scope has a blank required cell."
    flagged = "; an indicator flags cases for review and never decides a verdict" if rule.evidence_kind == "heuristic" else ""
    return f"{head}: {counts}{tolerance}: {_result(outcome)}{flagged}."


def decision_reason(decision: Decision, outcomes: list[Outcome], attested: dict[str, Any] | None, register_given: bool) -> str:
    """The sentence saying which step of the precedence decided, and why."""
    verdict = decision.verdict.replace("_", " ")
    if decision.step == "attestation" and attested is not None:
        cited = f"{len(attested['evidence'])} document{'s' if len(attested['evidence']) != 1 else ''} cited"
        deciding = [o for o in outcomes if o.deciding]
        if any(o.result == "not_assessed" for o in deciding):
            return f"Verdict {verdict}: the attestation ({cited}) decides, covering the rules that could not be judged."
        if any(o.result == "pass" for o in deciding):
            return f"Verdict {verdict}: the attestation ({cited}) decides, and every measured or declared rule that judged it passed."
        return f"Verdict {verdict}: {STEP['attestation']} ({cited})."
    if decision.step != "no_evidence":
        return f"Verdict {verdict}: {STEP[decision.step]}."
    if not register_given and any(o.rule.scope != "policy" for o in outcomes):
        return "Verdict not assessed: no complaints register was given, and nothing else shows the provision is met."
    if any(o.result == "no_data" and o.deciding for o in outcomes):
        return ("Verdict not assessed: no case arose in the period, and neither a policy rule nor an attestation shows "
                "the standing duty is met.")
    if any(not o.deciding for o in outcomes):
        return "Verdict not assessed: only an indicator looks at this provision, and an indicator never decides a verdict."
    return "Verdict not assessed: nothing in the register or the policy shows this, and no attestation of it has been recorded."


def render(template: str, outcome: Outcome, catalogue: Catalogue, values: dict[str, Any]) -> str:
    """Fill {placeholders} from the finding's figures, the Code's parameters, policy facts and register figures."""
    params = {f"param.{k}": v for p in outcome.rule.provisions for k, v in catalogue.provisions[p].parameters.items()}
    lookup = {**values, **params, **outcome.finding.figures()}
    return PLACEHOLDER.sub(lambda m: _word(lookup.get(m.group(1))), template).strip()


def _word(value: Any) -> str:
    """A value as published words: a policy's enumerated value (half_yearly) reads as words, a missing one as such."""
    if value is None:
        return "not recorded"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str) and ENUMERATED.fullmatch(value):
        return value.replace("_", " ")
    return str(value)


def _result(outcome: Outcome) -> str:
    return {"pass": "pass", "fail": "fail", "partial": "partly met, within the tolerance", "no_data": "nothing in scope in the period",
            "not_assessed": "not assessed"}[outcome.result]


def _columns(names: tuple[str, ...]) -> str:
    labels = [label(n) for n in names]
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " or " + labels[-1]


def _blanks(rule: Rule) -> str:
    """Why a case of the rule is unknown, when only blank cells can make it so: "the complaint handler is blank", or
    "the A or the B is blank"; empty when the rule's own `unknown` condition can too, or no blank can."""
    names = () if rule.unknown else unknown_if_blank(rule)
    return " or ".join(f"the {label(n)}" for n in names) + " is blank" if names else ""


def _cases(n: int) -> str:
    return f"{n} case{'s' if n != 1 else ''}"
