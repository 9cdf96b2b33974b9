"""`chc check` as a CI gate: exit codes, --fail-on, waivers, and its SARIF and JUnit outputs."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import yaml
from click.testing import CliRunner
from jsonschema import Draft7Validator

from cli import main
from conftest import EXAMPLE, chc, example_policy, write_policy

REGISTER = ["--register", str(EXAMPLE / "register.csv"), "--period", "2024-25"]
SARIF_SCHEMA = json.loads((Path(__file__).parent / "schemas" / "sarif-2.1.0.json").read_text(encoding="utf-8"))
EPOCH = {"SOURCE_DATE_EPOCH": "1740000000"}
LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note"}
LONG_ENOUGH = "Approved by the Housing Committee pending the corrective action recorded in the plan."


def _policy(tmp_path: Path, name: str = "policy.yaml", compliant: bool = True, **changes) -> Path:
    """The example policy; `compliant` completes the governing body updates (the example's one policy gap, 9.7)."""
    data = example_policy()
    if compliant:
        data["reporting"]["governing_body_updates"]["contents"] += ["issues_and_trends", "ombudsman_orders"]
        # without --period the policy is judged for the current year, so its reporting dates must be recent
        today = dt.date.today()
        data["reporting"]["annual_report"]["reported_to_governing_body"] = (today - dt.timedelta(days=60)).isoformat()
        data["reporting"]["governing_body_updates"]["last_update"] = (today - dt.timedelta(days=20)).isoformat()
    return write_policy(tmp_path, name, data, **changes)


def _waivers(tmp_path: Path, provisions: list[str], expires: str = "2099-03-31") -> Path:
    path = tmp_path / "waivers.yaml"
    items = [{"provision": p, "justification": LONG_ENOUGH, "approved_by": "Housing Committee", "expires": expires} for p in provisions]
    path.write_text(yaml.safe_dump({"waivers": items}, sort_keys=False))
    return path


def _check(*args: str, env: dict[str, str] | None = None):
    return chc("check", *args, env=env)


def _outputs(tmp_path: Path, *args: str, command: str = "check", env: dict[str, str] | None = EPOCH) -> tuple[int, dict, ET.Element, dict, str]:
    """Run once with sarif, junit and json written to files; return exit code, SARIF, JUnit root, JSON provisions, stderr."""
    sarif, junit, js = tmp_path / "out.sarif", tmp_path / "out.xml", tmp_path / "out.json"
    out = CliRunner().invoke(main, [command, *args, "--format", "sarif", "--output", str(sarif), "--format", "junit",
                                    "--output", str(junit), "--format", "json", "--output", str(js)], env=env)
    assert out.exit_code in (0, 1), out.output
    provisions = {p["id"]: p for p in json.loads(js.read_text())["provisions"]}
    return out.exit_code, json.loads(sarif.read_text()), ET.parse(junit).getroot(), provisions, out.stderr


def _gated(provisions: dict, fail_on: set[str]) -> set[str]:
    """What the gate should fail, worked out here from the JSON: a mandatory provision with a failing verdict."""
    return {pid for pid, p in provisions.items() if p["status"] in fail_on}


# exit codes


def test_a_compliant_policy_passes_without_a_register(tmp_path):
    out = _check("--policy", str(_policy(tmp_path)))
    assert out.exit_code == 0, out.output
    assert "passed" in out.stderr


def test_a_breaking_policy_fails_and_names_the_provision(tmp_path):
    out = _check("--policy", str(_policy(tmp_path, policy__time_limit_months=6)))
    assert out.exit_code == 1, out.output
    assert "1 provision fail" in out.stderr and out.stderr.rstrip().endswith(": 2.3")


def test_a_malformed_policy_exits_2_naming_file_and_line(tmp_path):
    path = tmp_path / "policy.yaml"
    text = (EXAMPLE / "policy.yaml").read_text()
    path.write_text(text.replace("  time_limit_months: 12", "  time_limit_month: 12"))
    lines = text.splitlines()
    key = lines.index("  time_limit_months: 12") + 1
    out = _check("--policy", str(path))
    assert out.exit_code == 2
    assert f"{path}:{key}:policy.time_limit_month: unknown key 'time_limit_month'" in out.stderr  # the typo's own line


def test_a_bad_fail_on_value_exits_2(tmp_path):
    out = _check("--policy", str(_policy(tmp_path)), "--fail-on", "not_met,broken")
    assert out.exit_code == 2
    assert "--fail-on" in out.stderr and "'not_met,broken'" in out.stderr and "not_assessed" in out.stderr


def test_the_example_register_fails_the_check(tmp_path):
    out = _check("--policy", str(_policy(tmp_path)), *REGISTER)
    assert out.exit_code == 1
    assert "2.3" in out.stderr.split(": ")[-1].split(", ")


def test_failing_on_not_assessed_fails_a_policy_only_run(tmp_path):
    policy = str(_policy(tmp_path))
    code, _, _, provisions, _ = _outputs(tmp_path, "--policy", policy)
    assert code == 0 and not _gated(provisions, {"not_met"})
    out = _check("--policy", policy, "--fail-on", "not_met,not_assessed")
    assert out.exit_code == 1
    named = set(out.stderr.strip().split(": ")[-1].split(", "))
    assert named == _gated(provisions, {"not_assessed"}) and "9.8" in named


def test_waivers_on_every_failing_provision_pass_the_check_until_they_expire(tmp_path):
    policy = str(_policy(tmp_path))
    code, _, _, provisions, _ = _outputs(tmp_path, "--policy", policy, *REGISTER)
    failing = sorted(_gated(provisions, {"not_met"}))
    assert code == 1 and "2.3" in failing
    waivers = _waivers(tmp_path, failing)
    code, _, _, provisions, stderr = _outputs(tmp_path, "--policy", policy, *REGISTER, "--waivers", str(waivers))
    assert code == 0, stderr
    assert all(provisions[p]["status"] == "waived" for p in failing)
    expired = _waivers(tmp_path, failing, expires="2020-01-01")
    code, _, _, provisions, _ = _outputs(tmp_path, "--policy", policy, *REGISTER, "--waivers", str(expired))
    assert code == 1
    assert provisions["2.3"]["status"] == "not_met"
    assert any("expired on 1 January 2020" in note for note in provisions["2.3"]["notes"])


# SARIF


def _results(sarif: dict) -> list[dict]:
    return sarif["runs"][0]["results"]


def test_sarif_is_valid_and_every_result_names_its_rule(tmp_path):
    runs = [
        _outputs(tmp_path, "--policy", str(_policy(tmp_path)), *REGISTER, "--waivers", str(EXAMPLE / "waivers.yaml")),
        _outputs(tmp_path, "--policy", str(_policy(tmp_path)), "--fail-on", "not_met,not_assessed"),  # pseudo-rules
    ]
    for _, sarif, _, _, _ in runs:
        assert not list(Draft7Validator(SARIF_SCHEMA).iter_errors(sarif))
        rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        ids = [r["id"] for r in rules]
        assert len(ids) == len(set(ids))
        assert _results(sarif)
        for result in _results(sarif):
            assert ids[result["ruleIndex"]] == result["ruleId"]
    pseudo = [r for r in _results(runs[1][1]) if r["ruleId"].startswith("CHC-PROVISION-")]
    assert {r["properties"]["provision"] for r in pseudo} == _gated(runs[1][3], {"not_assessed"})


def test_sarif_points_at_the_offending_policy_line(tmp_path):
    path = _policy(tmp_path, policy__time_limit_months=6)
    _, sarif, _, _, _ = _outputs(tmp_path, "--policy", str(path))
    line = next(i for i, text in enumerate(path.read_text().splitlines(), 1) if text.strip().startswith("time_limit_months:"))
    [result] = [r for r in _results(sarif) if r["properties"]["provision"] == "2.3"]
    assert result["ruleId"] == "CHC-2.3-TIME-LIMIT" and result["level"] == "error"
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] == line
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith("/policy.yaml")
    assert "within 6 months" in result["message"]["text"] and "Remediation: " in result["message"]["text"]


def test_sarif_levels_follow_severity(tmp_path, rulebook):
    _, sarif, _, _, _ = _outputs(tmp_path, "--policy", str(_policy(tmp_path)), *REGISTER, "--waivers", str(EXAMPLE / "waivers.yaml"))
    severity = {r.id: r.severity for r in rulebook.rules}
    rules = {r["id"]: r for r in sarif["runs"][0]["tool"]["driver"]["rules"]}
    for rule_id, level in severity.items():
        if rule_id in rules:
            assert rules[rule_id]["defaultConfiguration"]["level"] == LEVEL[level]
    results = _results(sarif)
    assert any(r["properties"]["rule_result"] == "partial" for r in results)
    for r in results:
        expected = LEVEL[severity[r["ruleId"]]]
        if r["properties"]["rule_result"] == "partial" and expected == "error":
            expected = "warning"
        assert r["level"] == expected, r["ruleId"]


def test_sarif_fingerprints_are_stable_and_unique(tmp_path):
    args = ["--policy", str(_policy(tmp_path)), *REGISTER]
    first = [r["partialFingerprints"]["chcFinding/v1"] for r in _results(_outputs(tmp_path, *args, env={})[1])]
    second = [r["partialFingerprints"]["chcFinding/v1"] for r in _results(_outputs(tmp_path, *args, env={})[1])]
    assert first == second and len(first) == len(set(first)) > 1
    path = tmp_path / "policy.yaml"
    path.write_text("# a comment that moves every line below it\n\n" + path.read_text())  # same name, lines shifted
    third = [r["partialFingerprints"]["chcFinding/v1"] for r in _results(_outputs(tmp_path, *args, env={})[1])]
    assert third == first


def test_waived_sarif_results_are_suppressed_with_the_justification(tmp_path):
    _, sarif, _, provisions, _ = _outputs(tmp_path, "--policy", str(_policy(tmp_path)), *REGISTER, "--waivers", str(EXAMPLE / "waivers.yaml"))
    justification = provisions["6.5"]["waiver"]["justification"]
    suppressed = [r for r in _results(sarif) if "suppressions" in r]
    assert suppressed and {r["properties"]["provision"] for r in suppressed} == {"6.5"}
    assert suppressed[0]["suppressions"] == [{"kind": "external", "status": "accepted", "justification": justification}]
    assert {r["properties"]["provision"] for r in _results(sarif) if "suppressions" not in r} == _gated(provisions, {"not_met", "partially_met"})


def test_sarif_and_junit_are_byte_identical_across_runs(tmp_path):
    args = ["check", "--policy", str(_policy(tmp_path)), *REGISTER, "--waivers", str(EXAMPLE / "waivers.yaml")]
    for fmt in ("sarif", "junit"):
        first = CliRunner().invoke(main, [*args, "--format", fmt], env=EPOCH)
        second = CliRunner().invoke(main, [*args, "--format", fmt], env=EPOCH)
        assert first.exit_code == 1 and first.stdout_bytes == second.stdout_bytes


def test_check_and_assess_write_the_same_sarif_and_junit(tmp_path):
    args = ["--policy", str(_policy(tmp_path)), *REGISTER, "--waivers", str(EXAMPLE / "waivers.yaml")]
    for fmt in ("sarif", "junit"):
        checked = CliRunner().invoke(main, ["check", *args, "--format", fmt], env=EPOCH)
        assessed = CliRunner().invoke(main, ["assess", *args, "--format", fmt], env=EPOCH)
        assert assessed.exit_code == 0 and checked.stdout_bytes == assessed.stdout_bytes


# JUnit


def test_junit_has_a_uniquely_named_testcase_per_provision_and_a_failure_per_gated_one(tmp_path):
    _, _, root, provisions, _ = _outputs(tmp_path, "--policy", str(_policy(tmp_path)), *REGISTER, "--waivers", str(EXAMPLE / "waivers.yaml"))
    cases = root.findall("testsuite/testcase")
    names = [c.get("name") for c in cases]
    assert len(cases) == 72 == len(provisions) and len(set(names)) == 72
    assert "6.2 Acknowledge stage 1 within 5 working days" in names
    failed = {c.get("name").split(" ")[0] for c in cases if c.find("failure") is not None}
    assert failed == _gated(provisions, {"not_met", "partially_met"}) and "6.2" in failed  # partly met fails by default
    assert int(root.get("failures")) == len(failed) == sum(int(s.get("failures")) for s in root.findall("testsuite"))
    assert int(root.get("tests")) == 72
    assert all(s.find("properties/property[@name='landlord']").get("value") == "Harrowden District Council" for s in root.findall("testsuite"))


def test_junit_failure_holds_evidence_and_remediation(tmp_path):
    _, _, root, provisions, _ = _outputs(tmp_path, "--policy", str(_policy(tmp_path)), *REGISTER)
    case = next(c for c in root.iter("testcase") if c.get("name").startswith("2.3 "))
    failure = case.find("failure")
    assert failure.get("type") == "not_met" and failure.get("message").startswith("not met: ")
    for line in provisions["2.3"]["evidence"]:
        assert line in failure.text
    assert provisions["2.3"]["remediation"] in failure.text and "HRL-24-0026" in failure.text


def test_junit_skips_a_waived_provision_with_its_justification(tmp_path):
    _, _, root, provisions, _ = _outputs(tmp_path, "--policy", str(_policy(tmp_path)), *REGISTER, "--waivers", str(EXAMPLE / "waivers.yaml"))
    case = next(c for c in root.iter("testcase") if c.get("name").startswith("6.5 "))
    assert case.find("failure") is None
    message = case.find("skipped").get("message")
    assert message.startswith("waived: ") and provisions["6.5"]["waiver"]["justification"] in message and "until 31 March 2027" in message


def test_check_with_a_register_and_no_period_judges_the_current_financial_year(tmp_path):
    """--period's help says it defaults to the current financial year: with --register too, it does, and says so."""
    from checker.derive.period import financial_year_of

    out = _check("--policy", str(_policy(tmp_path)), *REGISTER[:2], "--format", "json")
    label = financial_year_of(dt.date.today()).label
    assert out.exit_code in (0, 1), out.output
    assert f"chc: no --period given: judging {label}, the current financial year" in out.stderr
    assert json.loads(out.stdout)["period"]["label"] == label
