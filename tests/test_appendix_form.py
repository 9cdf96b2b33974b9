"""Appendix 1 as the Ombudsman lays the form out: Comply is Yes or No, the reason a No is not a plain Yes leads its
commentary, case references stay out by default, provenance is said once, the form is signed off, and every No
has an action, an owner and a date (or says the date is to be set, and chc says so on stderr)."""

from __future__ import annotations

import json
import re

import pytest

from conftest import EXAMPLE, EXAMPLE_ARGS, STAMP, chc, example_policy, write_policy

WAIVED = [*EXAMPLE_ARGS, "--waivers", EXAMPLE / "waivers.yaml", *STAMP]


def _rows(md: str) -> dict[str, list[str]]:
    """The form's rows by provision, each as its five cells (the first table a provision appears in)."""
    rows: dict[str, list[str]] = {}
    for line in md.splitlines():
        if re.match(r"\| \d\.\d+ \|", line):
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
            rows.setdefault(cells[0], cells)
    return rows


@pytest.fixture(scope="module")
def example_md() -> str:
    out = chc("assess", *WAIVED, "--format", "md")
    assert out.exit_code == 0, out.output
    return out.stdout


def test_comply_is_yes_or_no_and_a_no_says_why_first(example_md):
    rows = _rows(example_md)
    assert {cells[2] for cells in rows.values()} == {"Yes", "No"}
    assert rows["6.2"][2] == "No" and rows["6.2"][4].startswith("Partial compliance: the breaches are within an approved tolerance")
    assert rows["6.5"][2] == "No" and rows["6.5"][4].startswith("Waived until 31 March 2027: The stage 1 extension letter template")
    assert rows["5.14"][2] == "No" and rows["5.14"][4].startswith("Not evidenced: ")
    assert rows["1.2"][2] == "Yes"


def test_the_full_verdict_stays_in_json_csv_and_the_terminal(tmp_path):
    out = chc("assess", *WAIVED, "--format", "json", "--output", tmp_path / "a.json", "--format", "csv", "--output", tmp_path / "a.csv")
    assert out.exit_code == 0, out.output
    statuses = {p["id"]: p["status"] for p in json.loads((tmp_path / "a.json").read_text())["provisions"]}
    assert (statuses["6.2"], statuses["6.5"], statuses["5.14"]) == ("partially_met", "waived", "not_assessed")
    assert ",partially_met," in (tmp_path / "a.csv").read_text()
    table = chc("assess", *WAIVED, env={"COLUMNS": "200"}).stdout
    assert "partially met" in table and "waived" in table and "not assessed" in table


def test_case_references_leave_the_published_form_unless_asked_for(tmp_path):
    ids = json.loads(chc("assess", *WAIVED, "--format", "json").stdout)
    cases = {cid for p in ids["provisions"] for cid in p["case_ids"]}
    assert len(cases) > 10
    shown = {}
    for mode in ("none", "count", "list"):
        out = chc("assess", *WAIVED, "--format", "md", "--case-refs", mode)
        assert out.exit_code == 0, out.output
        shown[mode] = out.stdout
    assert not any(cid in shown["count"] or cid in shown["none"] for cid in cases)
    assert "7 cases, identified in the complaints register." in shown["count"]
    assert "identified in the complaints register" not in shown["none"]
    assert "Cases: HDC-24-0110." in shown["list"]
    annual = chc("annual-report", *WAIVED, "--format", "md").stdout
    assert not any(cid in annual for cid in cases if cid not in _learning_cases())


def _learning_cases() -> set[str]:
    """The complaints the learning log cites by reference, which the annual report's learning table names."""
    text = (EXAMPLE / "learning.yaml").read_text()
    return set(re.findall(r"\b[A-Z]{3}-\d{2}-\d{4}\b", text))


def test_provenance_is_said_once_in_the_notes(example_md):
    body, _, notes = example_md.partition("## Notes")
    assert "could not be verified" not in body and "Source of the preamble" not in body
    assert notes.count("could not be verified against the Ombudsman's text") == 1
    assert "The wording of provisions 1.6, 3.4," in notes
    assert notes.count("The form's introduction is quoted from: ") == 1


def test_the_form_is_signed_off(example_md, tmp_path):
    sign_off = example_md.split("## Sign-off", 1)[1].split("## Notes")[0]
    assert "- **Completed by:** Customer Care and Complaints Manager, on 14 April 2025" in sign_off
    assert "- **Approved by:** Cabinet, on 21 May 2025" in sign_off
    assert "- **Member Responsible for Complaints:** Cabinet Member for Housing" in sign_off
    unsigned = write_policy(tmp_path, self_assessment=None)
    md = chc("assess", "--policy", unsigned, *WAIVED[2:], "--format", "md").stdout
    assert "- **Approved by:** Not yet approved" in md and "- **Completed by:** Not recorded" in md


def test_every_no_has_an_owner_and_a_date_or_says_the_date_is_to_be_set(example_md, tmp_path):
    gaps = example_md.split("## Requirements not met", 1)[1].split("## Sign-off")[0]
    rows = [line for line in gaps.splitlines() if re.match(r"\| \d\.\d+ \|", line)]
    assert len(rows) == 15 and all(re.search(r"\| \d{1,2} [A-Z][a-z]+ 20\d\d \|$", row) for row in rows)
    data = example_policy()
    data["remediation_plan"] = [p for p in data["remediation_plan"] if p["provision"] != "2.1"]
    policy = write_policy(tmp_path, data=data)
    out = chc("assess", "--policy", policy, *WAIVED[2:], "--output", tmp_path / "a.md")
    assert out.exit_code == 0, out.output
    assert "chc: 2.1 is answered No with no action, owner and target date in the policy's remediation_plan" in out.stderr
    row = next(line for line in (tmp_path / "a.md").read_text().split("## Requirements not met")[1].splitlines() if line.startswith("| 2.1 |"))
    assert row.endswith("| To be set | Date to be set |")
    quiet = chc("assess", "--policy", policy, *WAIVED[2:])
    assert "is answered No" not in quiet.stderr, "the terminal table is not the published form"


def test_check_require_plan_fails_on_a_no_without_a_plan(tmp_path):
    gate = ["--fail-on", "not_applicable"]  # nothing in the example is not applicable: only the plan can fail the check
    assert chc("check", *WAIVED, *gate, "--require-plan").exit_code == 0
    data = example_policy()
    data["remediation_plan"][0].pop("target_date")
    policy = write_policy(tmp_path, data=data)
    assert chc("check", "--policy", policy, *WAIVED[2:], *gate).exit_code == 0
    out = chc("check", "--policy", policy, *WAIVED[2:], *gate, "--require-plan")
    assert out.exit_code == 1
    assert "1 provision answered No without an action, owner and target date in the remediation plan (--require-plan): 9.7" in out.stderr
