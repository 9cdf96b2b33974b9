"""Decide with durable-rules: rule outcomes from findings, a verdict per provision, then waivers over it.

The three passes are in checker/verdict/inference.yaml. Every firing is checked: each finding gets exactly one
outcome, each provision exactly one verdict and one waiver decision, or the run stops with an EngineError
rather than report something unproven. The name of the rule that fired is the decision's step, which the
assessment turns into reasoning a person can read.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from checker.load.rulebook import Rule
from checker.load.yamlfile import load
from checker.rules.evaluate import Finding
from checker.verdict import engine
from checker.verdict.engine import EngineError, Fact

INFERENCE = Path(__file__).parent / "inference.yaml"


@dataclass(frozen=True)
class Outcome:
    """One rule's result (pass, fail, partial, no_data or not_assessed), why, and the finding behind it."""

    rule: Rule
    result: str
    reason: str
    finding: Finding

    @property
    def failing(self) -> bool:
        """The rule found its provision broken, wholly or within an approved tolerance."""
        return self.result in ("fail", "partial")

    @property
    def deciding(self) -> bool:
        """Measured and declared outcomes decide verdicts; a heuristic only flags cases for review."""
        return self.rule.evidence_kind != "heuristic"

    @property
    def breaks(self) -> bool:
        """Failing, and of a kind that decides: what makes a provision not met or partly met, and what a waiver covers."""
        return self.failing and self.deciding


@dataclass(frozen=True)
class Decision:
    """A provision's verdict as the engine decided it: the rules' verdict, its step, and the waiver step."""

    verdict: str  # a status, before any waiver (an attested provision has the attestation's status)
    step: str  # the precedence step that decided it, e.g. "breach", "attestation", "no_evidence"
    waiver_step: str  # "provision", "rules" (waived), or why not: "not_waivable", "no_waiver", "partly_waived"

    @property
    def waived(self) -> bool:
        return self.waiver_step in ("provision", "rules")


@cache
def _inference() -> dict[str, Any]:
    return load(INFERENCE).data  # from the snapshot of chc's own YAML (checker/load/snapshot.py)


def rule_outcomes(findings: list[Finding]) -> list[Outcome]:
    """Pass 1: one outcome per finding."""
    facts: list[Fact] = [
        {"id": f"f|{f.rule.id}", "kind": "finding", "absent": len(f.absent), "examined": f.examined,
         "breaches": f.breaches, "unknown": f.unknown, "allowed": f.allowed}
        for f in findings
    ]
    fired = _one_each(_inference()["outcomes"], facts, "f", "id", [fact["id"] for fact in facts], "finding")
    return [Outcome(f.rule, *fired[f"f|{f.rule.id}"], f) for f in findings]


def decide(provision_ids: list[str], outcomes: list[Outcome], attested: dict[str, str],
           waived_provisions: Iterable[str], waived_rules: Iterable[str]) -> dict[str, Decision]:
    """Passes 2 and 3: the rules' verdict per provision, then whether a waiver sets it aside."""
    # durable-rules matches as facts arrive, so a `$not` holds if its fact comes later: the fact each rule starts
    # from (the provision, then its verdict) is asserted last
    facts: list[Fact] = [{"id": f"o|{o.rule.id}|{pid}", "kind": "outcome", "provision": pid, "result": o.result, "evidence": o.rule.evidence_kind}
                         for o in outcomes for pid in o.rule.provisions]
    facts += [{"id": f"a|{pid}", "kind": "attestation", "provision": pid, "status": status} for pid, status in attested.items()]
    facts += [{"id": f"p|{pid}", "kind": "provision", "pid": pid} for pid in provision_ids]
    verdicts = _one_each(_inference()["verdicts"], facts, "p", "pid", provision_ids, "provision")
    rules_verdict = {pid: attested[pid] if step == "attestation" else name for pid, (name, step) in verdicts.items()}
    waived = set(waived_rules)
    facts = [{"id": f"w|{pid}", "kind": "waiver", "provision": pid} for pid in waived_provisions]
    facts += [{"id": f"x|{o.rule.id}|{pid}", "kind": "failing", "provision": pid, "waived": int(o.rule.id in waived)}
              for o in outcomes if o.breaks for pid in o.rule.provisions]
    facts += [{"id": f"v|{pid}", "kind": "verdict", "pid": pid, "verdict": rules_verdict[pid]} for pid in provision_ids]
    waivers = _one_each(_inference()["waivers"], facts, "v", "pid", provision_ids, "provision")
    return {pid: Decision(rules_verdict[pid], verdicts[pid][1], waivers[pid][1]) for pid in provision_ids}


def _one_each(rules: dict[str, Any], facts: list[Fact], alias: str, key: str, wanted: list[str], what: str) -> dict[str, tuple[str, str]]:
    """Run one pass; each of `wanted` must be decided by exactly one rule (which may fire more than once)."""
    fired: dict[str, set[str]] = {name: set() for name in wanted}
    for name, matched in engine.run(rules, facts):
        fired[matched[alias][key]].add(name)
    for name, found in fired.items():
        if len(found) != 1:
            raise EngineError(f"{what} {name} was decided by {sorted(found) or 'no rule'} instead of one")
    return {name: tuple(found.pop().split("|", 1)) for name, found in fired.items()}  # type: ignore[misc]
