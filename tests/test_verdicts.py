"""Verdicts a compliance lead can sign: a missing column or a blank cell is never met, N/A or a breach; every
verdict says how it was known and why; tolerances are approvals judged on exact counts; one decision per provision."""

from __future__ import annotations

import datetime as dt
import json
from fractions import Fraction
from pathlib import Path

import polars as pl
import pytest
import yaml

from checker.rules.evaluate import Finding
from checker.verdict.infer import decide, rule_outcomes
from checker.verdict.tolerances import Tolerance
from conftest import EXAMPLE, EXAMPLE_ARGS, chc, example_rows, patch_rows, result

WAIVERS = ["--waivers", str(EXAMPLE / "waivers.yaml")]
# the provisions that read each column, and must go unassessed when the register lacks it
NEEDS = {"extended_due_date": ["6.4", "6.15"], "handler": ["6.13"], "remedy_due_date": ["7.3"], "ombudsman_details_given": ["6.5"]}


def _json(*args: str) -> dict[str, dict]:
    out = chc("assess", *args, "--format", "json")
    assert out.exit_code == 0, out.output
    return {p["id"]: p for p in json.loads(out.stdout)["provisions"]}


def _without(tmp_path: Path, column: str) -> Path:
    path = tmp_path / f"export-without-{column}.csv"
    example_rows().drop(column).write_csv(path)
    return path


@pytest.mark.parametrize("column", sorted(NEEDS))
def test_a_register_without_a_column_leaves_what_needs_it_not_assessed(tmp_path, column):
    register = _without(tmp_path, column)
    out = chc("assess", "--policy", EXAMPLE / "policy.yaml", "--register", register, "--period", "2024-25", "--format", "json")
    assert out.exit_code == 0, out.output
    assert f"the register has no '{column}' column" in out.stderr
    provisions = {p["id"]: p for p in json.loads(out.stdout)["provisions"]}
    for pid in NEEDS[column]:
        p = provisions[pid]
        assert p["status"] == "not_assessed", (pid, p["status"], p["reasoning"])
        absent = [o for o in p["outcomes"] if o["absent_columns"] == [column]]
        assert absent and all(o["result"] == "not_assessed" for o in absent)
        assert any(f"the register has no `{column}` column" in step for step in p["reasoning"])
        assert any(e.startswith("Not assessed: the register has no ") for e in p["evidence"])
        assert p["evidence_kinds"] == [k for k in p["evidence_kinds"] if k != "measured"] or p["status"] == "not_assessed"


def test_blank_cells_are_unknown_never_compliant_and_never_a_breach(run):
    rows = patch_rows(example_rows(), {"HDC-24-0086": {"ombudsman_details_given": None},  # the planted breach, now blank
                                        "HDC-24-0065": {"ombudsman_details_given": None}})
    found = result(run(rows=rows), "6.5")
    rule = next(rr.outcome for rr in found.rule_results if rr.outcome.rule.id == "CHC-6.5-S1-OMBUDSMAN-DETAILS")
    before = next(rr.outcome for rr in result(run(), "6.5").rule_results if rr.outcome.rule.id == "CHC-6.5-S1-OMBUDSMAN-DETAILS")
    assert rule.finding.unknown == 2 and rule.finding.unknown_case_ids == ("HDC-24-0065", "HDC-24-0086")
    assert rule.finding.examined == before.finding.examined - 2 and rule.finding.breaches == 0
    assert found.status == "met"  # the cases that could be judged all pass, and the evidence says what could not be
    assert "A further 2 cases could not be judged" in found.evidence[0]


def test_every_blank_in_scope_makes_the_rule_not_assessed(run):
    rows = example_rows()
    rows = rows.with_columns(pl.when(pl.col("stage") == "2").then(None).otherwise(pl.col("handler")).alias("handler"))
    found = result(run(rows=rows), "6.13")
    assert found.status == "not_assessed"
    assert found.outcomes[0].result == "not_assessed" and found.outcomes[0].finding.examined == 0


def test_every_verdict_carries_its_kinds_and_reasoning_ending_in_the_deciding_step():
    provisions = _json(*EXAMPLE_ARGS, *WAIVERS)
    for p in provisions.values():
        assert p["reasoning"] and p["reasoning"][-1 if p["status"] != "waived" else -2].startswith("Verdict ")
        assert set(p["evidence_kinds"]) <= {"measured", "declared", "attested", "heuristic"}
    assert provisions["6.2"]["status"] == "partially_met"
    outcome = next(o for o in provisions["6.2"]["outcomes"] if o["rule"] == "CHC-6.2-S1-ACKNOWLEDGED")
    assert outcome == {"rule": "CHC-6.2-S1-ACKNOWLEDGED", "result": "partial", "evidence_kind": "measured", "examined": 64,
                       "breaches": 3, "unknown": 0, "case_ids": ["HDC-24-0037", "HDC-24-0108", "HDC-24-0112"],
                       "unknown_case_ids": [], "absent_columns": []}
    assert "allows 3 in 64" in provisions["6.2"]["reasoning"][0]
    assert provisions["9.1"]["evidence_kinds"] == ["attested"] and provisions["9.1"]["basis"] == "attestation"
    assert provisions["6.5"]["status"] == "waived" and provisions["6.5"]["reasoning"][-1].startswith("Waived: an approved waiver")


def test_a_standing_duty_with_no_case_in_the_period_is_not_waved_through():
    provisions = _json("--policy", str(EXAMPLE / "policy.yaml"), "--register", str(EXAMPLE / "register.csv"), "--period", "2024-25-Q3")
    p = provisions["6.16"]  # no stage 2 extension that quarter
    assert p["status"] == "not_assessed" and p["evidence_kinds"] == []
    assert p["evidence"] == ["Measured from the register: No stage 2 response was extended in the period."]
    assert "no case arose in the period" in p["reasoning"][-1]
    assert "Attest that provision 6.16 is met, with its evidence" in p["remediation"]


def test_the_appendix_says_how_each_thing_was_known(tmp_path):
    out = chc("assess", *EXAMPLE_ARGS, *WAIVERS, "--format", "md")
    rows: dict[str, str] = {}
    for line in out.stdout.splitlines():  # the self-assessment table comes before the table of gaps
        if line.startswith("| "):
            rows.setdefault(line.split(" | ")[0].lstrip("| "), line)
    assert "Measured from the register: 61 of 64 stage 1 complaints" in rows["6.2"]
    assert "Declared in the policy: The policy's stage 1" in rows["6.2"]
    assert "Attested, with these documents: Learning from complaints log 2024-25." in rows["9.1"]


# --- tolerances ---


def _finding(rule, examined: int, breaches: int, pct: str | None) -> Finding:
    tolerance = Tolerance(rule.id, Fraction(pct), "Approved while the new system beds in.", "Housing Committee",
                          dt.date(2024, 9, 1), dt.date(2027, 3, 31), "waivers.yaml", 1) if pct else None
    return Finding(rule, examined, breaches, tolerance=tolerance)


@pytest.mark.parametrize(("examined", "breaches", "pct", "result"), [
    (1980, 99, "95", "partial"),   # 94.999%: floor(1980 x 5 / 100) = 99 allowed
    (1980, 100, "95", "fail"),     # 94.95% rounds to 95.0%, but is below it
    (20, 1, "95", "partial"), (20, 2, "95", "fail"), (19, 1, "95", "fail"),  # 19 x 5 / 100 = 0.95: no breach allowed
    (200, 1, "99.5", "partial"), (200, 2, "99.5", "fail"), (20, 0, "95", "pass"), (20, 1, None, "fail"),
])
def test_a_tolerance_allows_whole_breaches_counted_exactly(rulebook, examined, breaches, pct, result):
    rule = rulebook.by_id()["CHC-6.2-S1-ACKNOWLEDGED"]
    (outcome,) = rule_outcomes([_finding(rule, examined, breaches, pct)])
    assert outcome.result == result


def _waivers_file(tmp_path: Path, **tolerance) -> Path:
    item = {"rule": "CHC-6.2-S1-ACKNOWLEDGED", "compliance_pct": 95, "justification": "Intake moved to the new system in May.",
            "approved_by": "Housing Committee", "approved_on": "2024-09-12", "expires": "2027-09-30", **tolerance}
    path = tmp_path / "waivers.yaml"
    path.write_text(yaml.safe_dump({"tolerances": [{k: v for k, v in item.items() if v is not None}]}, sort_keys=False))
    return path


@pytest.mark.parametrize("missing", ["approved_by", "approved_on", "expires", "justification"])
def test_a_tolerance_without_its_approval_is_an_error(tmp_path, missing):
    path = _waivers_file(tmp_path, **{missing: None})
    out = chc("assess", *EXAMPLE_ARGS, "--waivers", path)
    assert out.exit_code == 2 and "Traceback" not in out.output
    assert f"{path}:2:tolerances.0: '{missing}' is required" in out.stderr


def test_a_tolerance_on_a_policy_rule_or_unknown_rule_is_an_error(tmp_path):
    out = chc("assess", *EXAMPLE_ARGS, "--waivers", _waivers_file(tmp_path, rule="CHC-6.2-S1-POLICY-TIMESCALE"))
    assert out.exit_code == 2 and "tolerances apply to case rules" in out.stderr
    out = chc("assess", *EXAMPLE_ARGS, "--waivers", _waivers_file(tmp_path, rule="CHC-6.2-S1-ACKNOWLEGED"))
    assert out.exit_code == 2 and "unknown rule CHC-6.2-S1-ACKNOWLEGED" in out.stderr


def test_an_expired_tolerance_is_ignored_with_a_note(tmp_path):
    provisions = _json(*EXAMPLE_ARGS, "--waivers", str(_waivers_file(tmp_path, expires="2025-09-30")))
    assert provisions["6.2"]["status"] == "not_met"
    assert any("is not in force" in note and "counted in full" in note for note in provisions["6.2"]["notes"])


def test_a_tolerance_in_the_policy_is_refused_with_where_it_now_lives(tmp_path):
    policy = tmp_path / "policy.yaml"
    policy.write_text((EXAMPLE / "policy.yaml").read_text() + "\nassessment:\n  tolerances:\n    CHC-6.2-S1-ACKNOWLEDGED: 95\n")
    out = chc("assess", "--policy", policy, "--register", EXAMPLE / "register.csv", "--period", "2024-25")
    assert out.exit_code == 2 and "listed under 'tolerances' in the waivers file" in out.stderr


def test_check_fails_on_a_provision_partly_met_unless_narrowed(tmp_path):
    policy = tmp_path / "policy.yaml"
    data = yaml.safe_load((EXAMPLE / "policy.yaml").read_text())
    data["reporting"]["governing_body_updates"]["contents"] += ["issues_and_trends", "ombudsman_orders"]
    policy.write_text(yaml.safe_dump(data))
    waivers = tmp_path / "waivers.yaml"
    approved = yaml.safe_load((EXAMPLE / "waivers.yaml").read_text())
    waived = ["2.1", "2.3", "2.4", "6.3", "6.4", "6.13", "6.14", "7.1", "7.3"]  # every provision the example breaks but 6.2
    approved["waivers"] += [{"provision": p, "justification": "Accepted while the new procedure is introduced.",
                             "approved_by": "Housing Committee", "expires": "2099-03-31"} for p in waived]
    waivers.write_text(yaml.safe_dump(approved))
    args = ["check", "--policy", policy, "--register", EXAMPLE / "register.csv", "--period", "2024-25", "--waivers", waivers]
    out = chc(*args)
    assert out.exit_code == 1 and "fail (not_met, partially_met): 6.2" in out.stderr
    assert chc(*args, "--fail-on", "not_met").exit_code == 0


# --- the decision ---


def test_an_indicator_never_decides_a_verdict_on_its_own(rulebook, catalogue):
    rules = {r.id: r for r in rulebook.rules}
    heuristic = rules["CHC-2.5-NO-BLANKET-REFUSAL"]
    assert heuristic.evidence_kind == "heuristic"
    outcomes = rule_outcomes([Finding(heuristic, 6, 3, ("HDC-24-0005", "HDC-24-0006", "HDC-24-0007")),
                              Finding(rules["CHC-2.5-NO-BLANKET-EXCLUSION"], 1, 0)])
    decision = decide(["2.5"], outcomes, {}, [], [])["2.5"]
    assert decision.verdict == "met" and decision.step == "passed"
    alone = decide(["2.5"], outcomes[:1], {}, [], [])["2.5"]
    assert alone.verdict == "not_assessed" and alone.step == "no_evidence"


def test_explain_prints_the_decision_in_order():
    out = chc("explain", "6.2", *EXAMPLE_ARGS, *WAIVERS)
    assert out.exit_code == 0, out.output
    text = out.stdout
    assert text.startswith("6.2 Acknowledge stage 1 within 5 working days\nVerdict: partially met\nKnown by: declared, measured\n")
    assert text.index("1. CHC-6.2-S1-ACKNOWLEDGED (measured): 64 examined, 3 in breach") < text.index("3. Verdict partially met")
    assert "Cases in breach: HDC-24-0037, HDC-24-0108, HDC-24-0112" in text
    wrong = chc("explain", "6.55", *EXAMPLE_ARGS)
    assert wrong.exit_code == 2 and "did you mean 6.5" in wrong.stderr


def test_sarif_precision_follows_how_each_rule_knows(rulebook):
    out = chc("assess", *EXAMPLE_ARGS, *WAIVERS, "--format", "sarif")
    rules = {r["id"]: r["properties"] for r in json.loads(out.stdout)["runs"][0]["tool"]["driver"]["rules"]}
    kinds = {r.id: r.evidence_kind for r in rulebook.rules}
    expected = {"measured": "very-high", "declared": "high", "heuristic": "low"}
    assert {rid: p["precision"] for rid, p in rules.items() if rid in kinds} == {rid: expected[kinds[rid]] for rid in rules if rid in kinds}
    assert {"very-high", "high"} <= {p["precision"] for p in rules.values()}


def test_a_record_keeping_rule_judges_its_own_blanks_and_the_evidence_says_no_otherwise(catalogue):
    """A column a rule asks about with `present` is no cause of unknowns, in the masks and in the words alike."""
    from checker.load.resources import bundled
    from checker.load.rulebook import load_rulebook
    from checker.rules.evaluate import unknown_if_blank

    book = load_rulebook([bundled("rules"), EXAMPLE / "rules"], catalogue)
    rule = book.by_id()["HDC-LOCAL-5.12-OUTCOME-RECORDED"]
    assert "handler" in rule.requires and "handler" not in unknown_if_blank(rule)
    ombudsman = book.by_id()["CHC-6.5-S1-OMBUDSMAN-DETAILS"]
    assert unknown_if_blank(ombudsman) == ("contact_type", "stage", "ombudsman_details_given")


def test_the_warning_names_only_columns_whose_absence_leaves_a_rule_unjudged(tmp_path):
    """6.3 asks itself about the extension columns, so an export without them is still judged, and not named."""
    path = tmp_path / "export.csv"
    example_rows().drop("extension_good_reason", "extension_notified_date", "handler").write_csv(path)
    out = chc("assess", "--policy", EXAMPLE / "policy.yaml", "--register", path, "--period", "2024-25", "--format", "json")
    assert out.exit_code == 0, out.output
    assert f"{path}: the register has no 'handler' column: 1 rule needing it is not assessed" in out.stderr
    assert "extension" not in out.stderr
    provisions = {p["id"]: p for p in json.loads(out.stdout)["provisions"]}
    assert provisions["6.3"]["status"] == "not_met" and provisions["6.13"]["status"] == "not_assessed"
