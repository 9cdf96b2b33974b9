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


def test_list_adds_a_landlords_rules_and_names_their_source():
    out = chc("rules", "list", "--rules", EXAMPLE / "rules")
    assert out.exit_code == 0, out.output
    line = next(x for x in out.stdout.splitlines() if x.startswith("HDC-LOCAL-9.6-QUARTERLY-UPDATES"))
    assert "9.6" in line and "policy" in line and "harrowden.yaml:" in line


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
    out = chc("rules", "test", path)
    assert out.exit_code == 2
    assert f"{path}:9:tests.CHC-2.4-REFUSAL-EXPLAINED.pass.rows.HDC-99-9999: HDC-99-9999 is not in the base register" in out.stderr
    path.write_text(path.read_text().replace("    pass: {rows: {HDC-99-9999: {outcome: upheld}}}\n", ""))
    out = chc("rules", "test", path)
    assert out.exit_code == 2
    assert (f"{path}:6:tests.CHC-2.3-TIME-LIMIT.fail.policy.policy.time_limit_months: the patched policy is invalid: "
            "policy.time_limit_months: 'twelve' is not a whole number") in out.stderr
    assert (f"{path}:8:tests.CHC-2.4-REFUSAL-EXPLAINED.fail.rows.HDC-24-0025.outcome: the patched register is invalid: "
            "case HDC-24-0025, outcome: must be one of") in out.stderr
    assert "Traceback" not in out.output


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
