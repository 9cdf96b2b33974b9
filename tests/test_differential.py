"""The condition language has two compilers: polars (case rules, in bulk) and durable-rules (policy and register
facts, findings). This proves them identical on every case rule over randomised registers: the production path
evaluates the rule column-wise; the reference path asserts each case as a durable-rules fact and lets the
engine match it. Case ids found, and cases examined, must agree exactly.
"""

from __future__ import annotations

import datetime as dt
import importlib.util

import numpy as np
import polars as pl
import pytest

from checker.derive.cases import derive
from checker.derive.period import parse_period
from checker.load.policy import load_policy
from checker.load.register import load_register
from checker.rules import conditions
from checker.rules.evaluate import evaluate_cases
from checker.verdict import engine
from conftest import EXAMPLE, ROOT, example_rows

YES_NO = ["yes", "no"]


def randomised(seed: int) -> pl.DataFrame:
    """The example register with its judgement cells shuffled and its dates nudged, valid by construction."""
    rng = np.random.default_rng(seed)
    rows = example_rows()
    n = rows.height

    def later(column: str, days: int) -> pl.Expr:
        shift = pl.Series(rng.integers(0, days, n)).cast(pl.Int64)
        return (pl.col(column).str.to_date() + pl.duration(days=shift)).dt.strftime("%Y-%m-%d").alias(column)

    decided = pl.col("outcome").is_in(["upheld", "partially_upheld", "not_upheld"])
    return rows.with_columns(
        later("response_date", 12), later("extended_due_date", 8), later("remedy_completed_date", 20),
        pl.when(decided).then(pl.Series(rng.choice(["upheld", "partially_upheld", "not_upheld"], n))).otherwise(pl.col("outcome")).alias("outcome"),
        pl.when(pl.col("ombudsman_details_given").is_not_null()).then(pl.Series(rng.choice(YES_NO, n))).alias("ombudsman_details_given"),
        pl.when(pl.col("refusal_explained").is_not_null()).then(pl.Series(rng.choice(YES_NO, n))).alias("refusal_explained"),
        pl.when(pl.col("discretion_considered").is_not_null()).then(pl.Series(rng.choice(YES_NO, n))).alias("discretion_considered"),
        pl.when(pl.Series(rng.random(n) < 0.08)).then(None).otherwise(pl.col("acknowledged_date")).alias("acknowledged_date"),
    )


def synthetic(rows: int) -> pl.DataFrame:
    """A register from the benchmark's generator (bench/make_registers.py): several years, four organisations."""
    spec = importlib.util.spec_from_file_location("make_registers", ROOT / "bench" / "make_registers.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.generate(rows)


def durable_findings(frame: pl.DataFrame, rules, policy) -> dict[str, tuple[set[str], int]]:
    """Per rule: the case ids durable-rules matches as breaches, and how many cases its `select` matches."""

    def from_policy(kind: str, name: str):
        return policy.facts.get(name)

    definitions = {}
    for rule in rules:
        select = conditions.to_durable(conditions.substitute(rule.select, from_policy))
        breach = conditions.to_durable(conditions.substitute(rule.breach, from_policy))
        definitions[f"{rule.id}|select"] = {"all": [{"m": select}]}
        definitions[f"{rule.id}|breach"] = {"all": [{"m": {"$and": [select, breach]}}]}
    facts = [{"id": f"case|{r['case_id']}", **{k: _fact_value(v) for k, v in r.items()}}
             for r in frame.filter(pl.col("in_period")).iter_rows(named=True)]
    matched: dict[str, set[str]] = {}
    for name, firing in engine.run(definitions, facts):
        matched.setdefault(name, set()).add(firing["m"]["case_id"])
    return {r.id: (matched.get(f"{r.id}|breach", set()), len(matched.get(f"{r.id}|select", set()))) for r in rules}


def _fact_value(value):
    return value.toordinal() if isinstance(value, dt.date) else value


@pytest.mark.parametrize("make", [lambda: randomised(1), lambda: randomised(2), lambda: synthetic(3000), lambda: synthetic(5000)],
                         ids=["example-1", "example-2", "bench-3000", "bench-5000"])
def test_polars_and_durable_rules_agree_on_every_case_rule(make, tmp_path, rulebook):
    path = tmp_path / "register.csv"
    make().write_csv(path)
    policy = load_policy(EXAMPLE / "policy.yaml")
    period = parse_period("2024-25")
    frame = derive(load_register(path).frame, period, period.end, policy.closure_days)
    rules = [r for r in rulebook.rules if r.scope == "case"]
    assert frame.filter(pl.col("in_period")).height > 200
    reference = durable_findings(frame, rules, policy)
    breaches = 0
    for finding in evaluate_cases(frame, rules, policy):
        ids, examined = reference[finding.rule.id]
        assert set(finding.case_ids) == ids, finding.rule.id
        assert finding.examined == examined, finding.rule.id
        breaches += finding.breaches
    assert breaches > 10  # the randomised registers do break rules, so agreement is not vacuous
