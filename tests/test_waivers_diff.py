"""Waivers, the remediation plan, `chc diff` and how the CLI pairs formats with outputs."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import yaml
from click.testing import CliRunner

from checker.verdict.waivers import load_waivers
from cli import main
from conftest import EXAMPLE, EXAMPLE_ARGS, example_policy, result, write_policy

ON_6_5 = "The extension letter template now gives the Ombudsman's details."


def _waivers(tmp_path: Path, *items: dict) -> Path:
    path = tmp_path / "waivers.yaml"
    path.write_text(yaml.safe_dump({"waivers": list(items)}, sort_keys=False))
    return path


def _assess_json(*args: str) -> dict:
    out = CliRunner().invoke(main, ["assess", *EXAMPLE_ARGS, "--format", "json", *args])
    assert out.exit_code == 0, out.output
    return {p["id"]: p for p in json.loads(out.stdout)["provisions"]}


def test_a_provision_waiver_shows_waived_and_keeps_the_rules_verdict(tmp_path):
    path = _waivers(tmp_path, {"provision": "6.5", "justification": ON_6_5, "approved_by": "Housing Committee", "expires": "2099-03-31"})
    p = _assess_json("--waivers", str(path))["6.5"]
    assert p["status"] == "waived" and p["verdict_without_waiver"] == "not_met"
    assert p["waiver"]["justification"] == ON_6_5 and p["waiver"]["source"].endswith("waivers.yaml:2")
    assert p["case_ids"] == ["HDC-24-0086"]  # the evidence stays


def test_an_expired_waiver_is_evaluated_normally_and_says_so(tmp_path):
    path = _waivers(tmp_path, {"provision": "6.5", "justification": ON_6_5, "expires": "2024-12-31"})
    p = _assess_json("--waivers", str(path))["6.5"]
    assert p["status"] == "not_met" and p["waiver"] is None
    assert any("expired on 31 December 2024" in note for note in p["notes"])


def test_a_rule_waiver_waives_the_provision_only_when_it_covers_every_failing_rule(tmp_path):
    one_rule = _waivers(tmp_path, {"rule": "CHC-2.3-NO-EARLY-OUT-OF-TIME", "justification": "Reopened and accepted on review in April 2025."})
    p = _assess_json("--waivers", str(one_rule))["2.3"]
    assert p["status"] == "not_met"  # CHC-2.3-DISCRETION-CONSIDERED fails too
    assert any("still fails" in note and "\u201cDiscretion is considered before refusing a late complaint\u201d" in note for note in p["notes"])
    both = _waivers(tmp_path, {"rule": "CHC-2.3-NO-EARLY-OUT-OF-TIME", "justification": "Reopened and accepted on review in April 2025."},
                    {"rule": "CHC-2.3-DISCRETION-CONSIDERED", "justification": "Discretion was considered; the record was corrected."})
    p = _assess_json("--waivers", str(both))["2.3"]
    assert p["status"] == "waived" and p["waiver"]["kind"] == "rule"


def test_a_waiver_of_a_met_provision_is_reported_as_not_needed(tmp_path):
    path = _waivers(tmp_path, {"provision": "1.2", "justification": "Carried over from last year's exceptions."})
    p = _assess_json("--waivers", str(path))["1.2"]
    assert p["status"] == "met" and "not needed" in p["notes"][0]


def test_waiver_expiry_is_judged_on_the_day_given(tmp_path, catalogue, rulebook):
    path = _waivers(tmp_path, {"provision": "6.5", "justification": ON_6_5, "expires": "2025-06-30"})
    waivers = load_waivers(path, catalogue, rulebook).waivers
    assert waivers[0].active(dt.date(2025, 6, 30)) and not waivers[0].active(dt.date(2025, 7, 1))


def test_bad_waivers_files_name_file_line_and_field(tmp_path):
    path = _waivers(tmp_path, {"provision": "6.5"}, {"provision": "6.4", "justification": "Too short", "until": "2025-01-01"})
    out = CliRunner().invoke(main, ["assess", *EXAMPLE_ARGS, "--waivers", str(path)])
    assert out.exit_code == 2
    assert f"{path}:2:waivers.0: 'justification' is required" in out.stderr
    assert f"{path}:5:waivers.1.until: unknown key 'until'" in out.stderr
    path = _waivers(tmp_path,
                    {"provision": "6.99", "justification": "A provision that does not exist."},
                    {"provision": "6.4", "rule": "CHC-6.4-S1-EXTENSION-LIMIT", "justification": "Names both a provision and a rule."},
                    {"rule": "CHC-6.3-S1-RESPONDED", "justification": "Not a real date.", "expires": "2025-02-30"})
    out = CliRunner().invoke(main, ["assess", *EXAMPLE_ARGS, "--waivers", str(path)])
    assert out.exit_code == 2
    assert f"{path}:2:waivers.0.provision: unknown provision 6.99" in out.stderr
    assert "not both or neither" in out.stderr
    assert "waivers.2.expires: '2025-02-30' is not a real date" in out.stderr


def test_remediation_plan_gives_owner_and_date_and_must_name_known_provisions(tmp_path):
    p = _assess_json()["9.7"]
    assert p["plan"] == {"action": "Add a quarterly review of complaint issues and trends, and of progress on any Ombudsman orders, to the "
                                   "Cabinet Member for Housing's complaints briefing and to Cabinet's quarterly performance report.",
                         "owner": "Customer Care and Complaints Manager", "target_date": "2025-06-30"}
    bad = write_policy(tmp_path, remediation_plan=[{"provision": "9.99", "action": "Something."}])
    out = CliRunner().invoke(main, ["assess", "--policy", str(bad), *EXAMPLE_ARGS[2:]])
    assert out.exit_code == 2 and "remediation_plan.0.provision: unknown provision 9.99" in out.stderr


def test_a_plan_entry_for_a_met_provision_is_noted(run):
    policy = example_policy()
    policy["remediation_plan"].append({"provision": "1.2", "action": "Reword the definition."})
    r = result(run(policy_data=policy), "1.2")
    assert r.status == "met" and r.plan is None and "still lists an action for 1.2" in r.notes[0]


def test_diff_flags_a_time_limit_cut_from_12_to_6_months(tmp_path):
    six = write_policy(tmp_path, "six.yaml", policy__time_limit_months=6)
    out = CliRunner().invoke(main, ["diff", str(EXAMPLE / "policy.yaml"), str(six), "--format", "json"])
    assert out.exit_code == 1, out.output
    data = json.loads(out.stdout)
    assert [(c["provision"], c["before"], c["after"], c["breaks"]) for c in data["changes"]] == [("2.3", "met", "not_met", True)]
    assert data["changes"][0]["newly_failing"] == ["CHC-2.3-TIME-LIMIT"]
    assert "within 6 months" in data["changes"][0]["evidence"][0]


def test_diff_back_to_12_months_and_an_unchanged_policy_pass(tmp_path):
    six = write_policy(tmp_path, "six.yaml", policy__time_limit_months=6)
    back = CliRunner().invoke(main, ["diff", str(six), str(EXAMPLE / "policy.yaml")])
    assert back.exit_code == 0 and "not met" in back.stdout and "No provision that the old policy met is broken" in back.stdout
    same = CliRunner().invoke(main, ["diff", str(EXAMPLE / "policy.yaml"), str(EXAMPLE / "policy.yaml")])
    assert same.exit_code == 0 and "No verdict changes" in same.stdout


def test_diff_with_the_register_catches_a_new_failure_in_a_provision_already_not_met(tmp_path):
    """With the register, 2.3 is already not met (a case breach); the cut still breaks a rule that passed."""
    six = write_policy(tmp_path, "six.yaml", policy__time_limit_months=6)
    out = CliRunner().invoke(main, ["diff", str(EXAMPLE / "policy.yaml"), str(six), *EXAMPLE_ARGS[2:], "--format", "md"])
    assert out.exit_code == 1, out.output
    assert "| 2.3" in out.stdout and "BREAKS" in out.stdout


def test_diff_of_a_malformed_policy_exits_2(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text((EXAMPLE / "policy.yaml").read_text().replace("time_limit_months:", "time_limit_month:"))
    out = CliRunner().invoke(main, ["diff", str(EXAMPLE / "policy.yaml"), str(bad)])
    assert out.exit_code == 2 and f"{bad}:" in out.stderr and "time_limit_month" in out.stderr


def test_policy_only_assessment_does_not_judge_register_rules():
    out = CliRunner().invoke(main, ["check", "--policy", str(EXAMPLE / "policy.yaml"), "--format", "json"])
    data = {p["id"]: p for p in json.loads(out.stdout)["provisions"]}
    assert data["6.13"]["status"] == "not_assessed" and "no complaints register was given" in data["6.13"]["evidence"][0]
    assert data["6.3"]["status"] == "met" and "Judged on the policy alone" in data["6.3"]["notes"][0]
    assert data["1.4"]["status"] == "met"  # its policy rules pass; no register rule judges 1.4
    assert [r["id"] for r in data["1.4"]["rules"]] == ["CHC-1.4-SERVICE-REQUEST-DEFINED", "CHC-1.4-SERVICE-REQUESTS-WHERE-RECORDED"]


def test_formats_pair_with_outputs_and_are_guessed_from_suffixes(tmp_path):
    runner = CliRunner()
    out = runner.invoke(main, ["assess", *EXAMPLE_ARGS, "--output", str(tmp_path / "a.json"), "--output", str(tmp_path / "a.txt")])
    assert out.exit_code == 0, out.output
    assert json.loads((tmp_path / "a.json").read_text())["landlord"] == "Harrowden District Council"
    assert (tmp_path / "a.txt").read_text().startswith("Harrowden District Council: self-assessment")
    for args, message in [
        (["--format", "json", "--format", "md"], "need an --output each"),
        (["--format", "docx"], "binary file: give --output"),
        (["--output", str(tmp_path / "a.rtf")], "cannot tell the format"),
        (["--format", "json", "--output", str(tmp_path / "x.json"), "--output", str(tmp_path / "y.json")], "one --output per --format"),
    ]:
        bad = runner.invoke(main, ["assess", *EXAMPLE_ARGS, *args])
        assert bad.exit_code == 2 and message in bad.output, (args, bad.output)
    assert not list(tmp_path.glob("x.json")) and not list(tmp_path.glob(".*.tmp"))
