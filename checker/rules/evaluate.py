"""Evaluate every rule column-wise with polars: case rules over the period's cases, policy and register rules over
one-row frames of the policy's facts and the register's figures. The result is findings, never verdicts.

A case is examined only when every cell its rule requires is filled (or the register contract says what a blank
means, `x-blank`); otherwise it is unknown, counted apart, never compliant and never a breach. A required column
the register lacks leaves the rule not assessed.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from typing import TYPE_CHECKING, Any

import polars as pl

from checker.derive.ombudsman_facts import OMBUDSMAN
from checker.load.register import FROM_ROW, REFERENCE, contract
from checker.load.rule_checks import policy_kinds
from checker.load.rulebook import Rule
from checker.rules import conditions
from checker.rules.expressions import to_polars

if TYPE_CHECKING:
    from checker.verdict.tolerances import Tolerance

POLARS_TYPE = {"text": pl.Utf8, "number": pl.Float64, "boolean": pl.Boolean, "date": pl.Utf8}


@dataclass(frozen=True)
class Finding:
    """What one rule saw. A policy or register rule examines one thing: the policy, or the register's figures."""

    rule: Rule
    examined: int
    breaches: int
    case_ids: tuple[str, ...] = ()
    unknown: int = 0
    unknown_case_ids: tuple[str, ...] = ()
    absent: tuple[str, ...] = ()  # required columns the register lacks: nothing was judged
    tolerance: Tolerance | None = None

    @property
    def allowed(self) -> int:
        """Breaches the approved tolerance allows, in whole cases (0 without one)."""
        return self.tolerance.allowed(self.examined) if self.tolerance else 0

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
            "examined": self.examined, "breaches": self.breaches, "compliant": self.compliant, "unknown": self.unknown,
            "compliance_pct": _pct(self.compliance_pct), "breach_pct": _pct(self.breach_pct),
        }


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0f}"


def evaluate(rules: list[Rule], frame: pl.DataFrame, policy: dict[str, Any], register_facts: dict[str, Any],
             absent_columns: frozenset[str], tolerances: dict[str, Tolerance],
             unread_at_stage2: frozenset[str] = frozenset(), absent_at_stage1: frozenset[str] = frozenset()) -> list[Finding]:
    """One finding per rule, in the rulebook's order; `policy` is the policy's facts, those judged against the period
    included. A wide export's stage 2 contacts are unknown to a rule needing a column it has for stage 1 only, and a
    column it has for its stage 2s only (escalated_from, known from the row) leaves every other rule not assessed."""
    by_scope = {
        "case": _cases(frame, [r for r in rules if r.scope == "case"], policy, absent_columns, tolerances, unread_at_stage2,
                       absent_at_stage1),
        "policy": _one_row(_policy_frame(rules, policy), [r for r in rules if r.scope == "policy"], policy, frozenset(), policy),
        "register": _one_row(pl.DataFrame([register_facts]),
                             [r for r in rules if r.scope == "register"], policy, absent_columns | absent_at_stage1),
    }
    found = {f.rule.id: f for findings in by_scope.values() for f in findings}
    return [found[r.id] for r in rules]


def _cases(frame: pl.DataFrame, rules: list[Rule], policy: dict[str, Any], absent_columns: frozenset[str],
           tolerances: dict[str, Tolerance], unread_at_stage2: frozenset[str], absent_at_stage1: frozenset[str]) -> list[Finding]:
    """All case rules' masks in one pass over the in-period cases; ids (as published, REFERENCE) only for the rules
    that need them."""
    absent = {r.id: absent_for(r, absent_columns, absent_at_stage1) for r in rules}
    judged_rules = [r for r in rules if not absent[r.id]]
    masks = []
    for n, rule in enumerate(judged_rules):
        assert rule.select is not None  # the rulebook requires a select of every case rule
        scope = _compile(rule.select, policy)
        unread = (pl.col(FROM_ROW) == 2) if unread_at_stage2 & set(rule.requires) else pl.lit(False)
        unknown = scope & (_blank(rule) | unread | (_compile(rule.unknown, policy) if rule.unknown else pl.lit(False)))
        examined = scope & ~unknown
        masks += [examined.alias(f"e{n}"), (examined & _compile(rule.breach, policy)).alias(f"b{n}"), unknown.alias(f"u{n}")]
    judged = frame.filter(pl.col("in_period")).select(pl.col(REFERENCE), *masks)
    counts = judged.select(pl.exclude(REFERENCE).sum()).row(0, named=True) if masks else {}
    named = [c for c, n in counts.items() if n and c[0] != "e"]  # the cases in breach or unknown, for the rules with any
    ids = judged.select(pl.col(REFERENCE).filter(pl.col(c)).sort().implode().alias(c) for c in named).row(0, named=True) if named else {}
    findings = [Finding(r, 0, 0, absent=absent[r.id]) for r in rules if absent[r.id]]
    for n, rule in enumerate(judged_rules):
        findings.append(Finding(rule, counts[f"e{n}"], counts[f"b{n}"], tuple(ids.get(f"b{n}", ())), counts[f"u{n}"],
                                tuple(ids.get(f"u{n}", ())), tolerance=tolerances.get(rule.id)))
    return findings


def _one_row(frame: pl.DataFrame, rules: list[Rule], policy: dict[str, Any], absent_columns: frozenset[str],
             facts: dict[str, Any] | None = None) -> list[Finding]:
    """Policy and register rules: the same compiler over a frame of one row; a breach is that row matching. A policy
    rule reading an Ombudsman activity fact the activity file cannot give (`facts`) is not assessed."""
    absent = {r.id: absent_required(r, absent_columns) or (absent_activity(r, facts) if facts is not None else ()) for r in rules}
    judged = [r for r in rules if not absent[r.id]]
    row = frame.select(*(_compile(r.breach, policy).alias(r.id) for r in judged)).row(0, named=True) if judged else {}
    return [Finding(r, 0, 0, absent=absent[r.id]) if absent[r.id] else Finding(r, 1, int(row[r.id])) for r in rules]


def absent_activity(rule: Rule, facts: dict[str, Any]) -> tuple[str, ...]:
    """The Ombudsman activity facts the rule reads that the activity file (or its absence) does not give, but those the
    rule asks about with `present`: as for a register column, the rule then says itself what no record means."""
    asked = _asked(rule, rule.breach)
    return tuple(sorted(name for name in conditions.fields(rule.breach)
                        if name.startswith(OMBUDSMAN) and name not in facts and name not in asked))


def _policy_frame(rules: list[Rule], policy: dict[str, Any]) -> pl.DataFrame:
    """The policy facts the policy rules read, one typed column each (a blank fact is a null of its type)."""
    kinds = policy_kinds()
    names = sorted({name for r in rules if r.scope == "policy" for name in conditions.fields(r.breach)})
    return pl.DataFrame([pl.Series(name, [_scalar(policy.get(name), kinds.get(name))], dtype=POLARS_TYPE.get(kinds.get(name) or ""),
                                   strict=False) for name in names]) if names else pl.DataFrame({"_": [0]})


def _scalar(value: Any, kind: str | None) -> Any:
    """A policy fact as one cell: a list is no single value (blank, as it was to durable-rules), text is text."""
    if isinstance(value, (list, dict)):
        return None
    return str(value) if kind == "text" and value is not None and not isinstance(value, bool) else value


def _compile(cond: conditions.Condition, policy: dict[str, Any]) -> pl.Expr:
    """The condition as polars, with each `{policy: NAME}` value the policy's own (a blank one never matches)."""
    return to_polars(conditions.substitute(cond, lambda kind, name: policy.get(name)))


def _stage2_only(rule: Rule) -> bool:
    """A case rule that selects stage 2 complaints alone (`stage eq 2` at the top of its select)."""
    select = rule.select or {}
    tops = select.get("all", [select]) if isinstance(select, dict) else []
    return any(isinstance(t, dict) and t.get("field") == "stage" and t.get("eq") == 2 for t in tops)


def absent_for(rule: Rule, absent_columns: frozenset[str], absent_at_stage1: frozenset[str]) -> tuple[str, ...]:
    """The rule's required columns the register lacks, a wide export's stage-2-only columns counted for the rules
    that judge other contacts too (as evaluate counts them)."""
    return absent_required(rule, absent_columns if absent_at_stage1 and _stage2_only(rule) else absent_columns | absent_at_stage1)


def absent_required(rule: Rule, absent_columns: frozenset[str]) -> tuple[str, ...]:
    """Required columns the register lacks. A column the rule asks about with `present` when judging a case is a
    column of blanks, which the rule says how to judge; one it selects cases by is needed, or nothing is in scope."""
    return tuple(c for c in rule.requires if c in absent_columns and c not in _asked(rule, rule.unknown, rule.breach))


def _asked(rule: Rule, *conds: conditions.Condition | None) -> set[str]:
    """The columns `conds` (by default all the rule's) test with `present`: the rule says itself what their blanks mean."""
    return {leaf["field"] for cond in (conds or (rule.select, rule.unknown, rule.breach)) if cond
            for leaf in conditions.leaves(cond) if conditions.operator(leaf) == "present"}


def unknown_if_blank(rule: Rule) -> tuple[str, ...]:
    """The required columns whose blank leaves a case unknown: all but those whose blank is itself an answer, as the
    register contract says (x-blank) or the rule asks about itself (`present`), as a record-keeping rule does."""
    columns, asked = contract(), _asked(rule)
    return tuple(c for c in rule.requires if "x-blank" not in columns.get(c, {}) and c not in asked)


def _blank(rule: Rule) -> pl.Expr:
    """True where a cell whose blank leaves the case unknown is blank."""
    blanks = [pl.col(c).is_null() for c in unknown_if_blank(rule)]
    return reduce(lambda a, b: a | b, blanks) if blanks else pl.lit(False)
