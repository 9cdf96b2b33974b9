"""Every rule has a failing and a passing fixture (tests/rule_fixtures.yaml), run through the whole pipeline."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
import yaml

from conftest import clean_rows, example_rows, outcome, patch_rows

FIXTURES = yaml.safe_load((Path(__file__).parent / "rule_fixtures.yaml").read_text())


def _apply(spec: dict) -> tuple[dict, pl.DataFrame]:
    rows = example_rows() if spec.get("base") == "example" else clean_rows()
    rows = patch_rows(rows, spec.get("rows", {}))
    if "drop_contact_type" in spec:
        rows = rows.filter(pl.col("contact_type") != spec["drop_contact_type"])
    return spec.get("policy", {}), rows


def test_every_rule_has_fixtures(rulebook):
    assert sorted(FIXTURES) == sorted(r.id for r in rulebook.rules)
    assert all("fail" in spec for spec in FIXTURES.values())


@pytest.mark.parametrize("rule_id", sorted(FIXTURES))
def test_rule_fails_on_its_failing_fixture(run, rule_id):
    spec = FIXTURES[rule_id]["fail"]
    policy_patch, rows = _apply(spec)
    found = outcome(run(policy_patch=policy_patch, rows=rows), rule_id)
    assert found.result == "fail"
    if found.rule.scope == "case":
        assert list(found.finding.case_ids) == sorted(spec["case_ids"])


@pytest.mark.parametrize("rule_id", sorted(FIXTURES))
def test_rule_passes_on_its_passing_fixture(run, rule_id):
    policy_patch, rows = _apply(FIXTURES[rule_id].get("pass", {}))
    found = outcome(run(policy_patch=policy_patch, rows=rows), rule_id)
    assert found.result in ("pass", "no_data") if found.rule.scope == "case" else found.result == "pass"
    if found.rule.scope == "case":
        assert found.finding.breaches == 0
