"""durable-rules and the built-in evaluator give the same verdicts: on the example, on randomised findings and policies,
and through the whole command line with durable-rules made unimportable. (Every rule fixture runs through both engines,
compared firing by firing, in tests/test_rules.py.)

Where durable-rules cannot be installed (Python 3.13+), the comparisons are skipped and the built-in evaluator is
the engine every other test runs on.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from fractions import Fraction

import numpy as np
import pytest
import yaml

from checker.derive.period import parse_period
from checker.load.policy import load_policy
from checker.load.register import load_register
from checker.load.resources import bundled
from checker.load.rulebook import load_rulebook
from checker.render.formats import Context, render
from checker.rules.evaluate import Finding
from checker.rules.testing import run_rule_tests
from checker.verdict import engine, engine_builtin
from checker.verdict.assessment import assess
from checker.verdict.engine import EngineError
from checker.verdict.infer import decide, rule_outcomes
from checker.verdict.tolerances import Tolerance
from conftest import BOTH_ENGINES, DURABLE, EPOCH, EXAMPLE, EXAMPLE_ARGS, ROOT, using, with_metadata

needs_durable = pytest.mark.skipif(DURABLE is None, reason="durable-rules is not installed here (Python 3.13+ or no C compiler)")
ENGINES = [m for m in (DURABLE, engine_builtin) if m is not None]
STAMP = Context(dt.datetime(2025, 5, 1, tzinfo=dt.timezone.utc))


def _each_engine(make) -> dict[str, object]:
    found = {}
    for backend in ENGINES:
        with using(backend):
            found[backend.NAME] = make()
    return found


@needs_durable
def test_the_example_gives_byte_identical_assessments_through_either_engine(catalogue, rulebook):
    policy, register = load_policy(EXAMPLE / "policy.yaml"), load_register(EXAMPLE / "register.csv")
    for period in ("2024-25", "2023-24", "2024-25-Q3"):
        outputs = _each_engine(lambda p=period: [render(fmt, assess(policy, register, catalogue, rulebook, parse_period(p)), STAMP)
                                                 for fmt in ("json", "csv", "sarif")])
        first, second = outputs.values()
        assert first == second, period
    statuses = {p["status"] for p in json.loads(first[0])["provisions"]}
    assert {"met", "not_met", "not_assessed"} <= statuses  # the example reaches several verdicts, so agreement says something


@needs_durable
def test_the_example_landlords_own_rule_tests_fire_alike_in_both_engines(catalogue):
    with using(BOTH_ENGINES):
        results = run_rule_tests(sorted((EXAMPLE / "rule-tests").glob("*.yaml")), catalogue, [EXAMPLE / "rules"])
    assert results and all(r.passed for r in results)


def _random_findings(rng: np.random.Generator, rules) -> list[Finding]:
    """Findings of every shape the engine must tell apart: absent columns, blanks only, none in scope, within and
    beyond a tolerance."""
    findings = []
    for rule in rules:
        examined = int(rng.choice([0, 1, 5, 20, 200]))
        breaches = int(rng.integers(0, examined + 1)) if examined else 0
        unknown = int(rng.choice([0, 0, 3]))
        absent = ("handler",) if rng.random() < 0.1 else ()
        pct = rng.choice([None, 50, 90, 95, 99.5])
        tolerance = None if pct is None or rule.scope != "case" else Tolerance(
            rule.id, Fraction(str(pct)), "Approved while the new system beds in.", "Housing Committee",
            dt.date(2024, 9, 1), dt.date(2027, 3, 31), "waivers.yaml", 1)
        findings.append(Finding(rule, examined, breaches, (), unknown, (), absent, tolerance))
    return findings


@needs_durable
def test_randomised_findings_attestations_and_waivers_give_the_same_decisions(catalogue, rulebook):
    rng = np.random.default_rng(20261202)
    provisions = list(catalogue.provisions)
    rule_ids = [r.id for r in rulebook.rules]
    seen: set[str] = set()
    for _ in range(40):
        findings = _random_findings(rng, rulebook.rules)
        attested = {p: str(rng.choice(["met", "not_met", "partially_met", "not_applicable"])) for p in rng.choice(provisions, 15, replace=False)}
        waived_provisions = [str(p) for p in rng.choice(provisions, 5, replace=False)]
        waived_rules = [str(r) for r in rng.choice(rule_ids, 8, replace=False)]
        decided = _each_engine(lambda f=findings, a=attested, wp=waived_provisions, wr=waived_rules: _decisions(f, provisions, a, wp, wr))
        first, second = decided.values()
        assert first == second
        seen |= {f"{d.verdict}|{d.step}|{d.waiver_step}" for d in first[1].values()} | {o[1] for o in first[0]}
    steps = {s.split("|")[1] for s in seen if s.count("|") == 2}
    assert steps == {"breach", "tolerance", "attestation", "unjudged_rule", "passed", "no_evidence"}
    assert {s.split("|")[2] for s in seen if s.count("|") == 2} == {"provision", "rules", "not_waivable", "no_waiver", "partly_waived"}
    assert {"pass", "fail", "partial", "no_data", "not_assessed"} <= seen


def _decisions(findings, provisions, attested, waived_provisions, waived_rules):
    outcomes = rule_outcomes(findings)
    return [(o.rule.id, o.result, o.reason) for o in outcomes], decide(provisions, outcomes, attested, waived_provisions, waived_rules)


def test_the_built_in_evaluator_refuses_what_it_does_not_know():
    """durable-rules silently never matches an unknown operator; the built-in evaluator says so instead."""
    facts = [{"id": "a", "kind": "x", "n": 1}]
    with pytest.raises(EngineError, match=r"\$contains"):
        engine_builtin.run({"r": {"all": [{"m": {"$contains": {"n": 1}}}]}}, facts)
    with pytest.raises(EngineError, match="only `all` rules"):
        engine_builtin.run({"r": {"any": [{"m": {"kind": "x"}}]}}, facts)
    with pytest.raises(EngineError, match="cannot order"):
        engine_builtin.run({"r": {"all": [{"m": {"$gt": {"kind": 1}}}]}}, facts)


def test_the_built_in_evaluator_binds_distinct_facts_and_reads_absence():
    facts = [{"id": "p1", "kind": "p", "pid": "1"}, {"id": "p2", "kind": "p", "pid": "2"},
             {"id": "o1", "kind": "o", "provision": "1", "n": 3}]
    rules = {
        "joined": {"all": [{"p": {"kind": "p"}}, {"o": {"$and": [{"kind": "o"}, {"provision": {"p": "pid"}}]}}]},
        "alone": {"all": [{"p": {"kind": "p"}}, {"o$not": {"$and": [{"kind": "o"}, {"provision": {"p": "pid"}}]}}]},
        "sum": {"all": [{"o": {"$and": [{"kind": "o"}, {"$gt": {"n": {"$add": {"$l": 1, "$r": 1}}}}]}}]},
        "pairs": {"all": [{"a": {"kind": "p"}}, {"b": {"kind": "p"}}]},
    }
    fired = engine_builtin.run(rules, facts)
    assert [(name, sorted(f["id"] for f in bound.values())) for name, bound in fired] == [
        ("joined", ["o1", "p1"]), ("alone", ["p2"]), ("sum", ["o1"]), ("pairs", ["p1", "p2"]), ("pairs", ["p1", "p2"])]


def test_chc_runs_whole_with_durable_rules_unimportable(tmp_path):
    """The command line in a fresh interpreter where `import durable_rules_engine` fails, as on Python 3.13+."""
    blocked = "import sys; sys.modules['durable_rules_engine'] = None; from cli import main; main()"
    env = {**os.environ, **EPOCH}

    def chc(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-c", blocked, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)

    version = chc("--version")
    assert version.returncode == 0 and "verdict engine: built-in evaluator" in version.stdout
    out = tmp_path / "assessment.json"
    ran = chc("assess", *EXAMPLE_ARGS, "--format", "json", "--output", str(out))
    assert ran.returncode == 0, ran.stderr
    assert "Traceback" not in ran.stderr
    assert len(json.loads(out.read_text())["provisions"]) == 72
    if DURABLE is not None:  # and the same bytes as durable-rules gives in this process
        from conftest import chc as in_process

        with using(DURABLE):
            mine = tmp_path / "durable.json"
            assert in_process("assess", *EXAMPLE_ARGS, "--format", "json", "--output", mine, env=EPOCH).exit_code == 0
        assert out.read_bytes() == mine.read_bytes()


def test_version_names_the_engine_in_use():
    from conftest import chc as in_process

    out = in_process("--version")
    assert out.exit_code == 0 and engine.describe() in out.output and out.output.startswith("chc ")


@pytest.mark.parametrize(("op", "expected"), [("gt", "fail"), ("lt", "pass")])
def test_a_policy_rule_comparing_two_policy_facts_is_judged_by_both_engines(tmp_path, catalogue, op, expected):
    """Found by the built-in evaluator: a policy rule's `{policy: NAME}` value reached durable-rules unresolved, as a
    reference to a fact alias that does not exist, so the rule never fired and passed whatever the policy said."""
    rule = with_metadata({"id": "LL-9.5-HOMES", "provisions": ["9.5"], "title": "t", "scope": "policy", "severity": "low",
                          "breach": {"field": "landlord.homes", op: {"policy": "landlord.homes_by_tenure.lcra"}},  # 4,210 homes, 3,905 lcra
                          "evidence": "e", "remediation": "r"})
    (tmp_path / "mine.yaml").write_text(yaml.safe_dump({"rules": [rule]}))
    book = load_rulebook([bundled("rules"), tmp_path], catalogue)
    policy, register = load_policy(EXAMPLE / "policy.yaml"), load_register(EXAMPLE / "register.csv")
    results = _each_engine(lambda: next(o.result for r in assess(policy, register, catalogue, book, parse_period("2024-25")).results
                                        for o in r.outcomes if o.rule.id == "LL-9.5-HOMES"))
    assert set(results.values()) == {expected}
