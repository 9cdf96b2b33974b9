"""Evaluate every case rule column-wise over the period's cases in one polars pass, giving findings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from checker.load.policy import Policy
from checker.load.rulebook import Rule
from checker.rules import conditions


@dataclass(frozen=True)
class Finding:
    """What one case rule saw: cases examined, cases in breach and their ids, and the tolerance that applies."""

    rule: Rule
    examined: int
    breaches: int
    case_ids: tuple[str, ...]
    tolerance_pct: float | None

    @property
    def compliant(self) -> int:
        return self.examined - self.breaches

    @property
    def compliance_pct(self) -> float | None:
        return round(100 * self.compliant / self.examined, 1) if self.examined else None

    @property
    def breach_pct(self) -> float | None:
        return round(100 * self.breaches / self.examined, 1) if self.examined else None

    def figures(self) -> dict[str, Any]:
        return {
            "examined": self.examined, "breaches": self.breaches, "compliant": self.compliant,
            "compliance_pct": _pct(self.compliance_pct), "breach_pct": _pct(self.breach_pct),
        }


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0f}"


def evaluate_cases(frame: pl.DataFrame, rules: list[Rule], policy: Policy) -> list[Finding]:
    """One finding per case rule, all rules' conditions evaluated together over the in-period cases."""
    case_rules = [r for r in rules if r.scope == "case"]
    if not case_rules:
        return []

    def from_policy(kind: str, name: str) -> Any:
        return policy.facts.get(name)

    masks = []
    for n, rule in enumerate(case_rules):
        assert rule.select is not None  # the rulebook requires a select of every case rule
        select = conditions.to_polars(conditions.substitute(rule.select, from_policy))
        breach = conditions.to_polars(conditions.substitute(rule.breach, from_policy))
        masks += [select.alias(f"s{n}"), (select & breach).alias(f"b{n}")]
    judged = frame.filter(pl.col("in_period")).select(pl.col("case_id"), *masks)
    counts = judged.select(pl.exclude("case_id").sum()).row(0, named=True)
    findings = []
    for n, rule in enumerate(case_rules):
        ids = judged.filter(pl.col(f"b{n}"))["case_id"].sort().to_list() if counts[f"b{n}"] else []
        findings.append(Finding(rule, counts[f"s{n}"], counts[f"b{n}"], tuple(ids), policy.tolerances.get(rule.id)))
    return findings
