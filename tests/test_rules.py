"""Every bundled rule has a failing and a passing case (tests/rule_fixtures/), run through checker.rules.testing with both
verdict engines, which must fire alike on every case (tests/test_engines.py has the rest of that proof)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from checker.rules.testing import missing_cases, run_rule_tests
from conftest import BOTH_ENGINES, clean_rows, example_rows, using

FILES = sorted((Path(__file__).parent / "rule_fixtures").glob("*.yaml"))
CASES = [
    (path, rule_id, expected, item if isinstance(given, list) else None)
    for path in FILES
    for rule_id, expectations in yaml.safe_load(path.read_text(encoding="utf-8"))["tests"].items()
    for expected, given in expectations.items()
    for item in range(len(given) if isinstance(given, list) else 1)
]


@pytest.fixture(scope="module")
def results(catalogue):
    with using(BOTH_ENGINES):
        return {(Path(r.file), r.rule_id, r.expected, r.item): r for r in run_rule_tests(FILES, catalogue, [])}


def test_every_bundled_rule_has_a_fail_and_a_pass_case(rulebook, results):
    assert missing_cases(rulebook, [], list(results.values())) == []


@pytest.mark.parametrize(("path", "rule_id", "expected", "item"), CASES,
                         ids=[f"{path.stem}-{r}-{e}" + ("" if i is None else f"-{i + 1}") for path, r, e, i in CASES])
def test_rule_case(results, path, rule_id, expected, item):
    found = results[(path, rule_id, expected, item)]
    assert found.passed, f"{found.title} ({found.file}:{found.line}): {found.mismatch}"


@pytest.mark.parametrize("name", ["clean.yaml", "boundaries.yaml"])
def test_the_clean_register_drops_exactly_the_planted_breaches_and_their_escalations(name):
    """clean.yaml and boundaries.yaml list their drop_cases by hand; they must stay the rows conftest.clean_rows() leaves out."""
    listed = yaml.safe_load((Path(__file__).parent / "rule_fixtures" / name).read_text(encoding="utf-8"))["drop_cases"]
    kept = set(clean_rows()["case_id"])
    assert sorted(listed) == sorted(set(example_rows()["case_id"]) - kept)
