"""Infer a verdict for every provision with durable-rules, from findings, register figures, policy facts and attestations.

Two passes over small fact sets (see checker/verdict/inference.yaml): rule outcomes, then provision verdicts.
Every firing is checked: each rule must get exactly one outcome per run and each provision exactly one
verdict, or the run stops with an EngineError rather than report something unproven.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from checker.load.rulebook import Rule
from checker.rules import conditions
from checker.rules.evaluate import Finding
from checker.verdict import engine
from checker.verdict.engine import EngineError, Fact

INFERENCE = Path(__file__).parent / "inference.yaml"
FACT_KIND = {"policy": "policy", "register": "register"}


@dataclass(frozen=True)
class Outcome:
    """One rule's result: pass, fail, partial or no_data, with the finding behind a case rule."""

    rule: Rule
    result: str
    finding: Finding | None = None

    @property
    def failing(self) -> bool:
        """The rule found its provision broken, wholly or within the policy's tolerance."""
        return self.result in ("fail", "partial")


@cache
def _inference() -> dict[str, Any]:
    return yaml.safe_load(INFERENCE.read_text(encoding="utf-8"))


def rule_outcomes(rules: list[Rule], findings: list[Finding], policy_facts: dict[str, Any],
                  register_facts: dict[str, Any]) -> list[Outcome]:
    """Pass 1: classify case findings and match policy and register rules against their facts."""
    definitions: dict[str, Any] = {}
    for result, cond in _inference()["outcomes"].items():
        definitions[f"outcome|{result}"] = {"all": [{"f": {"$and": [{"kind": "finding"}, conditions.to_durable(cond)]}}]}
    fact_rules = [r for r in rules if r.scope in FACT_KIND]
    for kind in set(FACT_KIND.values()):
        definitions[f"seen|{kind}"] = {"all": [{"m": {"kind": kind}}]}
    for rule in fact_rules:
        breach = {"$and": [{"kind": FACT_KIND[rule.scope]}, conditions.to_durable(_with_policy(rule, policy_facts))]}
        definitions[f"{rule.id}|fail"] = {"all": [{"m": breach}]}
    facts: list[Fact] = [
        {"id": "policy", "kind": "policy", **_nest(policy_facts)},
        {"id": "register", "kind": "register", **_nest(register_facts)},
    ]
    by_fact_id = {}
    for finding in findings:
        fact_id = f"finding|{finding.rule.id}"
        by_fact_id[fact_id] = finding
        facts.append({
            "id": fact_id, "kind": "finding", "examined": finding.examined, "breaches": finding.breaches,
            "compliance_pct": finding.compliance_pct, "tolerance_pct": finding.tolerance_pct,
        })
    results: dict[str, set[str]] = {}
    seen: set[str] = set()
    for name, matched in engine.run(definitions, facts):
        # an `any` fires once per matching branch, so firings are collected as sets
        if name.startswith("seen|"):
            seen.add(name)
        elif name.startswith("outcome|"):
            results.setdefault(by_fact_id[matched["f"]["id"]].rule.id, set()).add(name.split("|")[1])
        else:
            results.setdefault(name.rsplit("|", 1)[0], set()).add("fail")
    if seen != {f"seen|{k}" for k in FACT_KIND.values()}:
        raise EngineError(f"the policy and register facts were not both matched (saw {sorted(seen)})")
    for rule in fact_rules:
        results.setdefault(rule.id, {"pass"})
    outcomes = []
    for finding in findings:
        found = results.get(finding.rule.id, set())
        if len(found) != 1:
            raise EngineError(f"finding of rule {finding.rule.id} was classified {sorted(found) or 'not at all'}")
        outcomes.append(Outcome(finding.rule, found.pop(), finding))
    return outcomes + [Outcome(rule, results[rule.id].pop()) for rule in fact_rules]


def provision_verdicts(provision_ids: list[str], outcomes: list[Outcome], attested: dict[str, str]) -> dict[str, str]:
    """Pass 2: one verdict name per provision (a key of inference.yaml's `verdicts`)."""
    facts: list[Fact] = []
    for outcome in outcomes:
        for pid in outcome.rule.provisions:
            facts.append({"id": f"o|{outcome.rule.id}|{pid}", "kind": "outcome", "provision": pid, "result": outcome.result})
    facts += [{"id": f"a|{pid}", "kind": "attestation", "provision": pid, "status": status} for pid, status in attested.items()]
    facts += [{"id": f"p|{pid}", "kind": "provision", "pid": pid} for pid in provision_ids]
    verdicts: dict[str, set[str]] = {pid: set() for pid in provision_ids}
    for name, matched in engine.run(_inference()["verdicts"], facts):
        verdicts[matched["p"]["pid"]].add(name)
    for pid, found in verdicts.items():
        if len(found) != 1:
            raise EngineError(f"provision {pid} was given {sorted(found) or 'no'} verdicts instead of one")
    return {pid: found.pop() for pid, found in verdicts.items()}


def _with_policy(rule: Rule, policy_facts: dict[str, Any]) -> conditions.Condition:
    """The rule's breach with its `{policy: NAME}` values resolved: in a policy rule they are fields of the same
    fact, in a register rule the policy's values (the register fact does not hold them)."""
    def lookup(kind: str, name: str) -> Any:
        return {"field": name} if rule.scope == "policy" else policy_facts.get(name)

    return conditions.substitute(rule.breach, lookup)


def _nest(flat: dict[str, Any]) -> dict[str, Any]:
    """{"a.b": 1} → {"a": {"b": 1}}, leaving out lists (no rule reads them through durable-rules) and blanks."""
    nested: dict[str, Any] = {}
    for key, value in flat.items():
        if value is None or isinstance(value, list):
            continue
        *parents, leaf = key.split(".")
        node = nested
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return nested
