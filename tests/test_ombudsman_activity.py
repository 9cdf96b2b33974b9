"""Ombudsman activity by type (issue 16, point 2): a held-out record with orders of each type, a Type 3 Complaint
Handling Failure Order and self-assessments revised after an order (re-submitted) and after a recommendation (not)
gives the verdicts on 8.1 c, 8.4 and 9.7 c and the lines of the annual report and the governing-body update."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from conftest import EPOCH, EXAMPLE, chc, write_policy

HELD_OUT = Path(__file__).parent / "rule_fixtures" / "ombudsman" / "findings.yaml"
UPDATES_WITH_ORDERS = ["volume", "categories", "outcomes", "performance", "issues_and_trends", "ombudsman_outcomes",
                       "ombudsman_orders", "annual_report"]


def _folder(tmp_path: Path, activity: Path | None = HELD_OUT, **changes) -> Path:
    """The example policy in its own folder, with the activity file beside it (or none)."""
    if activity:
        shutil.copy(activity, tmp_path / "ombudsman.yaml")
    return write_policy(tmp_path, **changes)


def _assess(policy: Path) -> dict[str, dict]:
    out = chc("assess", "--policy", policy, "--register", EXAMPLE / "register.csv", "--period", "2024-25", "--format", "json", env=EPOCH)
    assert out.exit_code == 0, out.output
    return {p["id"]: p for p in json.loads(out.stdout)["provisions"]}


def _outcome(provision: dict, rule: str) -> str:
    return next(o["result"] for o in provision["outcomes"] if o["rule"] == rule)


def test_verdicts_from_the_held_out_activity(tmp_path):
    results = _assess(_folder(tmp_path, reporting__annual_report__contents=["a", "b", "d", "e", "f"]))
    # a Type 3 CHFO is a finding of non-compliance with the Code: a report without part c is No
    assert _outcome(results["8.1"], "CHC-8.1-C-NON-COMPLIANCE-FINDINGS") == "fail"
    assert results["8.1"]["status"] == "not_met"
    assert any("Findings of non-compliance with the Code recorded for the period: 1 (1 of them Type 3" in e for e in results["8.1"]["evidence"])
    # revised after a recommendation and not re-submitted: 8.4 is No, whatever the policy attests
    assert _outcome(results["8.4"], "CHC-8.4-SELF-ASSESSMENT-RESUBMITTED") == "fail"
    assert results["8.4"]["status"] == "not_met"
    assert any("revised after an Ombudsman order or recommendation by the period's end: 2; not re-submitted to the Ombudsman: 1" in e
               for e in results["8.4"]["evidence"])
    # an order on a severe maladministration finding, overdue, and updates that do not cover orders: 9.7 c is No
    assert _outcome(results["9.7"], "CHC-9.7-C-SEVERE-MALADMINISTRATION-ORDERS") == "fail"
    assert any("severe maladministration findings open in the period: 2 (1 complied with, 1 overdue" in e for e in results["9.7"]["evidence"])


def test_the_same_record_complied_with_and_reported(tmp_path):
    record = tmp_path / "held-out.yaml"
    record.write_text(HELD_OUT.read_text().replace("revised_on: 2025-01-20}", "revised_on: 2025-01-20, resubmitted_on: 2025-02-03}"))
    results = _assess(_folder(tmp_path, record, reporting__governing_body_updates__contents=UPDATES_WITH_ORDERS))
    assert _outcome(results["8.1"], "CHC-8.1-C-NON-COMPLIANCE-FINDINGS") == "pass"
    assert _outcome(results["8.4"], "CHC-8.4-SELF-ASSESSMENT-RESUBMITTED") == "pass"
    assert results["8.4"]["status"] == "met"
    assert _outcome(results["9.7"], "CHC-9.7-C-SEVERE-MALADMINISTRATION-ORDERS") == "pass"


def test_no_record_is_never_met(tmp_path):
    results = _assess(_folder(tmp_path, None, attestations=[]))
    assert _outcome(results["8.4"], "CHC-8.4-SELF-ASSESSMENT-RESUBMITTED") == "not_assessed"
    assert results["8.4"]["status"] == "not_assessed"
    assert any("no record of the Ombudsman's activity gives the self-assessments" in e for e in results["8.4"]["evidence"])
    # the example's updates leave out orders: without a record chc cannot tell there were none
    assert _outcome(results["9.7"], "CHC-9.7-C-SEVERE-MALADMINISTRATION-ORDERS") == "fail"


def test_report_lines(tmp_path):
    policy = _folder(tmp_path)
    args = ["--policy", policy, "--register", EXAMPLE / "register.csv", "--period", "2024-25", "--format", "md"]
    update = chc("report", *args, env=EPOCH)
    assert update.exit_code == 0, update.output
    text = update.stdout
    assert "Complaint Handling Failure Orders, type 1 (the complaint handling process) | 1 (1 complied with)" in text
    assert "Complaint Handling Failure Orders, type 2 (the complaint handling process) | 1 (0 complied with)" in text
    assert "Complaint Handling Failure Orders, type 3 (compliance with the Code) | 1 (1 complied with)" in text
    assert ("Orders related to severe maladministration findings open in the period: 2, 1 complied with, "
            "1 overdue or not complied with.") in text
    assert ("Self-assessment asked for after an Ombudsman order (202499001) on 12 September 2024: revised on 1 November 2024, "
            "re-submitted to the Ombudsman on 15 November 2024.") in text
    assert ("Self-assessment asked for after an Ombudsman recommendation (202499002) on 1 December 2024: revised on "
            "20 January 2025, not yet re-submitted to the Ombudsman.") in text
    annual = chc("annual-report", *args, env=EPOCH)
    assert annual.exit_code == 0, annual.output
    part_c = annual.stdout.split("c. Findings of non-compliance with the Code by the Ombudsman", 1)[1].split("d. ", 1)[0]
    assert "Complaint Handling Failure Order, type 3: Self-assessment not published" in part_c
    assert "Orders related to severe maladministration findings open in the period: 2" in annual.stdout


def test_an_activity_file_lacking_a_type_is_refused(tmp_path):
    bad = tmp_path / "ombudsman.yaml"
    bad.write_text("complaint_handling_failure_orders:\n  - {date: 2024-11-05, type: 4, status: complied}\n")
    out = chc("assess", "--policy", write_policy(tmp_path), "--register", EXAMPLE / "register.csv", "--period", "2024-25")
    assert out.exit_code == 2
    assert "ombudsman.yaml:2" in out.output and "Traceback" not in out.output
