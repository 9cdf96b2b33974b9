"""Shared helpers: run the real pipeline on the bundled example, patched per test."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import yaml

from checker.assessment import Assessment, assess
from checker.catalogue import load_catalogue
from checker.period import parse_period
from checker.policy import load_policy
from checker.register import load_register
from checker.resources import bundled, default_code
from checker.rulebook import load_rulebook

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "fixtures" / "example"
EXPECTED = yaml.safe_load((EXAMPLE / "expected.yaml").read_text())


@pytest.fixture(scope="session")
def catalogue():
    return load_catalogue(default_code())


@pytest.fixture(scope="session")
def rulebook(catalogue):
    return load_rulebook([bundled("rules")], catalogue)


def example_policy() -> dict[str, Any]:
    return yaml.safe_load((EXAMPLE / "policy.yaml").read_text())


def example_rows() -> pl.DataFrame:
    return pl.read_csv(EXAMPLE / "register.csv", infer_schema=False)


def planted(year: str = "2024-25") -> set[str]:
    return {cid for key, ids in EXPECTED[year].items() if key != "not_breaches" for cid in ids}


def clean_rows() -> pl.DataFrame:
    """The example register without its planted breaches (and the escalations that hang off them)."""
    drop = planted("2024-25") | planted("2023-24")
    rows = example_rows().filter(~pl.col("case_id").is_in(list(drop)))
    return rows.filter(pl.col("escalated_from").is_null() | pl.col("escalated_from").is_in(rows["case_id"].to_list()))


def set_dotted(data: dict[str, Any], dotted: str, value: Any) -> None:
    """Set (or, with None, delete) a dotted key such as policy.time_limit_months."""
    *parents, leaf = dotted.split(".")
    node = data
    for part in parents:
        node = node.setdefault(part, {})
    if value is None:
        node.pop(leaf, None)
    else:
        node[leaf] = value


def patch_rows(rows: pl.DataFrame, patches: dict[str, dict[str, Any]]) -> pl.DataFrame:
    for case_id, cells in patches.items():
        assert case_id in rows["case_id"].to_list(), f"{case_id} is not in the fixture register"
        for column, value in cells.items():
            rows = rows.with_columns(
                pl.when(pl.col("case_id") == case_id).then(pl.lit(None if value is None else str(value), pl.Utf8))
                .otherwise(pl.col(column)).alias(column)
            )
    return rows


@pytest.fixture
def run(tmp_path, catalogue, rulebook):
    """run(policy_patch=..., rows=..., period=...) → Assessment, through the real loaders."""

    def _run(policy_patch: dict[str, Any] | None = None, rows: pl.DataFrame | None = None,
             period: str = "2024-25", policy_data: dict[str, Any] | None = None) -> Assessment:
        data = copy.deepcopy(policy_data or example_policy())
        for key, value in (policy_patch or {}).items():
            set_dotted(data, key, value)
        policy_path = tmp_path / "policy.yaml"
        policy_path.write_text(yaml.safe_dump(data, sort_keys=False))
        register_path = tmp_path / "register.csv"
        (rows if rows is not None else example_rows()).write_csv(register_path)
        return assess(load_policy(policy_path), load_register(register_path), catalogue, rulebook, parse_period(period))

    return _run


def result(assessment: Assessment, provision: str):
    return next(r for r in assessment.results if r.provision.id == provision)


def outcome(assessment: Assessment, rule_id: str):
    return next(o for r in assessment.results for o in r.outcomes if o.rule.id == rule_id)
