"""`chc rules list|show|doc|test`: rule tooling for landlords who write their own rules."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import yaml

from conftest import EXAMPLE, ROOT, chc

KEYS = {"id", "provisions", "scope", "severity", "title", "evidence_kind", "requires", "since", "file", "line"}


def cases_file(tmp_path: Path, body: str, policy: Path = EXAMPLE / "policy.yaml") -> Path:
    """A rule test file on the bundled example; `body` starts on line 4."""
    path = tmp_path / "cases.yaml"
    path.write_text(f"policy: {policy}\nregister: {EXAMPLE / 'register.csv'}\nperiod: 2024-25\n{body}")
    return path


def refused(path: Path) -> str:
    """Standard error of a run that must stop on bad input: exit 2, and no traceback."""
    out = chc("rules", "test", path)
    assert out.exit_code == 2 and "Traceback" not in out.output, out.output
    return out.stderr


def test_list_json_has_every_bundled_rule_once_with_exactly_its_keys(rulebook):
    out = chc("rules", "list", "--format", "json")
    assert out.exit_code == 0, out.output
    rows = json.loads(out.stdout)
    assert [r["id"] for r in rows] == [r.id for r in rulebook.rules]
    assert len({r["id"] for r in rows}) == len(rows)
    assert all(set(r) == KEYS for r in rows)
    rule, row = rulebook.rules[0], rows[0]
    assert row["provisions"] == list(rule.provisions) and row["line"] == rule.line
    assert Path(row["file"]).resolve() == Path(rule.file).resolve()


def test_list_adds_a_landlords_rules_and_the_json_names_their_source():
    out = chc("rules", "list", "--rules", EXAMPLE / "rules")
    assert out.exit_code == 0, out.output
    line = next(x for x in out.stdout.splitlines() if x.startswith("HDC-LOCAL-9.6-QUARTERLY-UPDATES"))
    assert "9.6" in line and "policy" in line and ".yaml" not in out.stdout
    listed = json.loads(chc("rules", "list", "--rules", EXAMPLE / "rules", "--format", "json").stdout)
    local = next(r for r in listed if r["id"] == "HDC-LOCAL-9.6-QUARTERLY-UPDATES")
    assert local["file"].endswith("harrowden.yaml") and local["line"] > 0


def test_show_gives_the_breach_condition_requirement_and_file_line(rulebook, catalogue):
    rule = rulebook.by_id()["CHC-6.2-S1-ACKNOWLEDGED"]
    out = chc("rules", "show", rule.id)
    assert out.exit_code == 0, out.output
    assert f"section-6.yaml:{rule.line}" in out.stdout
    breach = out.stdout.split("\nbreach:\n")[1].split("\nevidence:")[0]
    assert yaml.safe_load(breach) == {"field": "working_days_to_acknowledge", "gt": 5}
    assert " ".join(catalogue.provisions["6.2"].requirement.split()[:6]) in out.stdout


def test_show_unknown_id_exits_2_suggesting_close_matches():
    out = chc("rules", "show", "CHC-6.2-S1-ACKNOWLEGED")
    assert out.exit_code == 2
    assert "unknown rule id CHC-6.2-S1-ACKNOWLEGED" in out.stderr
    assert "CHC-6.2-S1-ACKNOWLEDGED" in out.stderr.split("did you mean")[1]


def test_doc_covers_every_rule_lists_uncovered_provisions_and_is_reproducible(tmp_path, rulebook):
    code = tmp_path / "code"
    shutil.copytree(ROOT / "code_requirements" / "2024", code)
    with (code / "section-9.yaml").open("a") as f:
        f.write('  - id: "9.9"\n    section: "9"\n    title: "A provision no rule covers"\n'
                "    requirement: Landlords must do something no register shows.\n"
                "    modal: must\n    wording: paraphrase_only\n    uncertain: false\n    sources: [none]\n")
    first = chc("rules", "doc", "--code", code)
    assert first.exit_code == 0, first.output
    second = tmp_path / "rules.md"
    assert chc("rules", "doc", "--code", code, "--output", second).exit_code == 0
    assert second.read_bytes() == first.stdout_bytes
    text = first.stdout
    assert all(f"#### {r.id}: " in text for r in rulebook.rules)
    assert "`working_days_to_acknowledge` is greater than 5 (Code 6.2 acknowledge_working_days)" in text
    uncovered = text.split("## Provisions with neither a rule nor attestation guidance\n")[1]
    assert uncovered.strip() == "- 9.9 A provision no rule covers"
    bundled = chc("rules", "doc").stdout
    assert bundled.split("## Provisions with neither a rule nor attestation guidance\n")[1].strip() == "None."


def test_the_example_landlords_rule_tests_pass():
    out = chc("rules", "test", EXAMPLE / "rule-tests", "--rules", EXAMPLE / "rules", "--require-all")
    assert out.exit_code == 0, out.output
    assert out.stdout.count("PASS HDC-LOCAL-") == 4
    assert out.stdout.splitlines()[-1] == "4 passed, 0 failed"


def test_a_wrong_expectation_exits_1_and_says_why(tmp_path):
    path = cases_file(tmp_path, "tests:\n  CHC-2.3-TIME-LIMIT:\n    fail: {}\n    pass: {}\n"
                                "  CHC-6.5-S1-OMBUDSMAN-DETAILS:\n    fail: {case_ids: [HDC-24-0001]}\n")
    out = chc("rules", "test", path)
    assert out.exit_code == 1
    lines = out.stdout.splitlines()
    assert lines[0] == f"FAIL CHC-2.3-TIME-LIMIT fail  ({path}:6): expected fail, got pass"
    assert lines[1] == f"PASS CHC-2.3-TIME-LIMIT pass  ({path}:7)"
    assert lines[2] == f"FAIL CHC-6.5-S1-OMBUDSMAN-DETAILS fail  ({path}:9): case ids expected [HDC-24-0001] found [HDC-24-0086]"
    assert lines[-1] == "1 passed, 2 failed"


def test_unknown_rule_id_unknown_key_and_missing_base_file_exit_2_naming_file_and_line(tmp_path):
    path = cases_file(tmp_path, "tests:\n  CHC-2.3-TIME-LIMT:\n    fail: {}\n")
    out = chc("rules", "test", path)
    assert out.exit_code == 2
    assert f"{path}:5:tests.CHC-2.3-TIME-LIMT: unknown rule id CHC-2.3-TIME-LIMT (did you mean CHC-2.3-TIME-LIMIT" in out.stderr
    path = cases_file(tmp_path, "tests:\n  CHC-2.3-TIME-LIMIT:\n    fail: {colour: red}\n")
    out = chc("rules", "test", path)
    assert out.exit_code == 2
    line = out.stderr.splitlines()[0]
    assert line.startswith(f"{path}:6:tests.CHC-2.3-TIME-LIMIT.fail") and line.endswith("unknown key 'colour'")
    path = cases_file(tmp_path, "tests:\n  CHC-2.3-TIME-LIMIT:\n    fail: {}\n", policy=Path("no-such-policy.yaml"))
    out = chc("rules", "test", path)
    assert out.exit_code == 2 and f"{path}:1:policy: no such file" in out.stderr
    assert "Traceback" not in out.output


def test_a_patch_that_makes_bad_input_exits_2_naming_the_test_key(tmp_path):
    path = cases_file(tmp_path, "tests:\n  CHC-2.3-TIME-LIMIT:\n    fail: {policy: {policy.time_limit_months: twelve}}\n"
                                "  CHC-2.4-REFUSAL-EXPLAINED:\n    fail: {rows: {HDC-24-0025: {outcome: grumbled}}}\n"
                                "    pass: {rows: {HDC-99-9999: {outcome: upheld}}}\n")
    assert f"{path}:9:tests.CHC-2.4-REFUSAL-EXPLAINED.pass.rows.HDC-99-9999: HDC-99-9999 is not in the base register" in refused(path)
    path.write_text(path.read_text().replace("    pass: {rows: {HDC-99-9999: {outcome: upheld}}}\n", ""))
    stderr = refused(path)
    assert (f"{path}:6:tests.CHC-2.3-TIME-LIMIT.fail.policy.policy.time_limit_months: the patched policy is invalid: "
            "policy.time_limit_months: 'twelve' is not a whole number") in stderr
    assert (f"{path}:8:tests.CHC-2.4-REFUSAL-EXPLAINED.fail.rows.HDC-24-0025.outcome: the patched register is invalid: "
            "case HDC-24-0025, outcome: must be one of") in stderr


def test_require_all_exits_1_when_a_rule_has_no_pass_case(tmp_path):
    path = cases_file(tmp_path, f"rules: [{EXAMPLE / 'rules'}]\ntests:\n"
                                "  HDC-LOCAL-9.6-QUARTERLY-UPDATES:\n"
                                "    fail: {policy: {reporting.governing_body_updates.frequency: annually}}\n"
                                "    pass: {}\n"
                                "  HDC-LOCAL-5.12-OUTCOME-RECORDED:\n    fail: {rows: {HDC-24-0025: {outcome: null}}}\n")
    assert chc("rules", "test", path, "--rules", EXAMPLE / "rules").exit_code == 0
    out = chc("rules", "test", path, "--rules", EXAMPLE / "rules", "--require-all")
    assert out.exit_code == 1
    assert "MISSING HDC-LOCAL-5.12-OUTCOME-RECORDED pass" in out.stdout
    assert "MISSING HDC-LOCAL-9.6" not in out.stdout and "CHC-" not in out.stdout
    assert out.stdout.splitlines()[-1] == "3 passed, 0 failed, 1 missing"


def test_the_rules_version_cites_exactly_the_rule_files_loaded(tmp_path, catalogue):
    """Every published document cites the rules version: it must change when any loaded rule file changes."""
    from checker.load.resources import bundled
    from checker.load.rulebook import load_rulebook

    mine = tmp_path / "rules"
    shutil.copytree(EXAMPLE / "rules", mine)
    versions = {load_rulebook([bundled("rules")], catalogue).version, load_rulebook([bundled("rules"), mine], catalogue).version}
    local = next(mine.glob("*.yaml"))
    local.write_text(local.read_text(encoding="utf-8").replace("severity: medium", "severity: low", 1), encoding="utf-8")
    versions.add(load_rulebook([bundled("rules"), mine], catalogue).version)
    assert len(versions) == 3
    assert load_rulebook([bundled("rules")], catalogue).version in versions  # and the same files give the same version


def test_a_list_of_cases_runs_each_item_and_names_its_line(tmp_path):
    path = cases_file(tmp_path, "tests:\n  CHC-6.5-S1-OMBUDSMAN-DETAILS:\n    fail:\n"
                                "      - name: details left off the extension letter\n"
                                "        rows: {HDC-24-0028: {ombudsman_details_given: 'no'}}\n"
                                "        case_ids: [HDC-24-0028, HDC-24-0086]\n"
                                "      - case_ids: [HDC-24-0001]\n"
                                "    pass: {drop_cases: [HDC-24-0086]}\n")
    out = chc("rules", "test", path)
    assert out.exit_code == 1
    assert out.stdout.splitlines() == [
        f'PASS CHC-6.5-S1-OMBUDSMAN-DETAILS fail "details left off the extension letter"  ({path}:7)',
        f"FAIL CHC-6.5-S1-OMBUDSMAN-DETAILS fail #2  ({path}:10): case ids expected [HDC-24-0001] found [HDC-24-0086]",
        f"PASS CHC-6.5-S1-OMBUDSMAN-DETAILS pass  ({path}:11)",
        "2 passed, 1 failed",
    ]


def test_bad_input_in_a_list_item_and_a_repeated_name_exit_2_at_the_item(tmp_path):
    path = cases_file(tmp_path, "tests:\n  CHC-2.3-TIME-LIMIT:\n    fail:\n"
                                "      - {policy: {policy.time_limit_months: 11}}\n"
                                "      - {colour: red}\n"
                                "    pass:\n      - {name: the Code's 12 months}\n      - {name: the Code's 12 months}\n")
    assert f"{path}:8:tests.CHC-2.3-TIME-LIMIT.fail.1.colour: unknown key 'colour'" in refused(path)
    path.write_text(path.read_text().replace("      - {colour: red}\n", ""))
    assert (f"{path}:10:tests.CHC-2.3-TIME-LIMIT.pass.1.name: two cases are called CHC-2.3-TIME-LIMIT pass \"the Code's 12 months\": "
            "name each pass case of the rule differently") in refused(path)


def test_pass_needs_the_rule_to_examine_a_case(tmp_path):
    """A register without complaints shows nothing about acknowledging them: `pass` fails there, `no_data` passes."""
    path = cases_file(tmp_path, "tests:\n  CHC-6.2-S1-ACKNOWLEDGED:\n    pass: {drop_contact_type: complaint}\n"
                                "    no_data: {drop_contact_type: complaint}\n")
    out = chc("rules", "test", path)
    assert out.exit_code == 1
    assert out.stdout.splitlines() == [
        f"FAIL CHC-6.2-S1-ACKNOWLEDGED pass  ({path}:6): expected pass, got no_data "
        "(the rule examined no case: patch one it examines, or expect no_data)",
        f"PASS CHC-6.2-S1-ACKNOWLEDGED no_data  ({path}:7)",
        "1 passed, 1 failed",
    ]


def test_drop_columns_removes_the_column_from_the_patched_register(tmp_path, catalogue):
    from checker.rules.testing import load_rule_tests, run_cases

    path = cases_file(tmp_path, "tests:\n  CHC-6.16-S2-OMBUDSMAN-DETAILS:\n"
                                "    pass: {}\n    not_assessed: {drop_columns: [ombudsman_details_given, remedy]}\n")
    [test_file] = load_rule_tests([path], catalogue, [])
    kept, dropped = (case.rows.columns for case in test_file.cases)
    assert set(kept) - set(dropped) == {"ombudsman_details_given", "remedy"}
    with_column, without = run_cases([test_file], catalogue)
    assert with_column.got == "pass"
    # HDC-24-0054's extension gave the details; without the column chc cannot see that it did, and says so
    assert without.got == "not_assessed" and without.passed


def test_drop_columns_refuses_the_columns_a_register_needs_and_unknown_ones(tmp_path):
    path = cases_file(tmp_path, "tests:\n  CHC-6.16-S2-OMBUDSMAN-DETAILS:\n"
                                "    not_assessed:\n      drop_columns: [ombudsman_details_given, received_date]\n"
                                "      rows: {HDC-24-0054: {ombudsman_details_given: 'no'}}\n")
    lines = refused(path).splitlines()
    assert (f"{path}:7:tests.CHC-6.16-S2-OMBUDSMAN-DETAILS.not_assessed.drop_columns.1: received_date cannot be dropped: "
            "chc reads no register without case_id, contact_type, received_date") in lines
    assert (f"{path}:7:tests.CHC-6.16-S2-OMBUDSMAN-DETAILS.not_assessed.drop_columns.0: ombudsman_details_given is dropped, "
            "so this case's rows patches of it would be lost") in lines
    path.write_text(path.read_text() + "    fail: {drop_columns: [ombudsman_details]}\n")
    assert refused(path).startswith(f"{path}:9:tests.CHC-6.16-S2-OMBUDSMAN-DETAILS.fail.drop_columns.0: 'ombudsman_details' is not one of: "
                                 "'case_id', 'contact_type', ")


def test_junit_has_a_suite_per_file_a_case_per_case_and_the_failures(tmp_path):
    import xml.etree.ElementTree as ET

    first = cases_file(tmp_path, "tests:\n  CHC-2.3-TIME-LIMIT:\n    fail: [{name: 11 months, policy: {policy.time_limit_months: 11}}, {}]\n"
                                 "    pass: {}\n")
    second = first.with_name("more.yaml")
    second.write_text(first.read_text().split("tests:")[0] + "tests:\n  CHC-9.3-LEARNING-REPORTED:\n"
                      "    fail: {policy: {reporting.learning_reported_to: []}}\n")
    report = tmp_path / "rule-tests.xml"
    out = chc("rules", "test", tmp_path, "--format", "junit", "--output", report)
    assert out.exit_code == 1 and out.stdout == ""
    root = ET.fromstring(report.read_bytes())
    assert (root.get("tests"), root.get("failures")) == ("4", "1")
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert list(suites) == [str(first), str(second)]
    assert [(s.get("tests"), s.get("failures")) for s in suites.values()] == [("3", "1"), ("1", "0")]
    cases = {c.get("name"): c for c in suites[str(first)].iter("testcase")}
    assert list(cases) == ['CHC-2.3-TIME-LIMIT fail "11 months"', "CHC-2.3-TIME-LIMIT fail #2", "CHC-2.3-TIME-LIMIT pass"]
    [failure] = root.iter("failure")
    assert failure.get("message") == "expected fail, got pass" and cases["CHC-2.3-TIME-LIMIT fail #2"].find("failure") is failure
    assert cases["CHC-2.3-TIME-LIMIT fail #2"].get("line") == "6"
    assert chc("rules", "test", first, "--format", "junit", "--output", first).exit_code == 2  # never over an input


def test_junit_lists_the_cases_require_all_misses_as_failures(tmp_path):
    import xml.etree.ElementTree as ET

    path = cases_file(tmp_path, f"rules: [{EXAMPLE / 'rules'}]\ntests:\n"
                                "  HDC-LOCAL-9.6-QUARTERLY-UPDATES:\n    fail: {policy: {reporting.governing_body_updates.frequency: annually}}\n"
                                "    pass: {}\n")
    out = chc("rules", "test", path, "--rules", EXAMPLE / "rules", "--require-all", "--format", "junit")
    assert out.exit_code == 1
    root = ET.fromstring(out.stdout_bytes)
    assert (root.get("tests"), root.get("failures")) == ("4", "2")
    missing = root.findall("testsuite")[-1]
    assert missing.get("name") == "--require-all"
    assert [c.get("name") for c in missing.iter("testcase")] == ["HDC-LOCAL-5.12-OUTCOME-RECORDED fail", "HDC-LOCAL-5.12-OUTCOME-RECORDED pass"]


def test_dropping_a_column_some_rows_need_is_told_once_at_the_drop(tmp_path):
    path = cases_file(tmp_path, "tests:\n  CHC-6.2-S1-ACKNOWLEDGED:\n    fail: {drop_columns: [stage]}\n")
    assert refused(path).splitlines() == [
        f"{path}:6:tests.CHC-6.2-S1-ACKNOWLEDGED.fail.drop_columns.0: the register cannot lack stage: a complaint needs its stage (1 or 2)",
        "chc: 1 problem in the input; stopped before producing any result",
    ]


def test_junit_stays_well_formed_when_a_file_name_holds_a_control_character(tmp_path):
    import xml.etree.ElementTree as ET

    path = cases_file(tmp_path, "tests:\n  CHC-2.3-TIME-LIMIT:\n    fail: {}\n")
    path = path.rename(tmp_path / "cases\a.yaml")
    out = chc("rules", "test", path, "--format", "junit")
    assert out.exit_code == 1
    [suite] = ET.fromstring(out.stdout_bytes).iter("testsuite")
    assert suite.get("name") == str(tmp_path / "cases\u2407.yaml")
