"""The policy's own words and roles: the evidence names what the policy lacks, in plain words."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from cli import main
from conftest import write_policy

SOUTHAMPTON = "Any expression of dissatisfaction with our services."  # Southampton's published 2024 form


def _provisions(policy: Path) -> dict[str, Any]:
    out = CliRunner().invoke(main, ["check", "--policy", str(policy), "--format", "json"])
    assert out.exit_code in (0, 1), out.output
    return {p["id"]: p for p in json.loads(out.stdout)["provisions"]}


def test_a_one_line_definition_is_not_met_and_the_evidence_names_the_missing_elements(tmp_path):
    found = _provisions(write_policy(tmp_path, policy__complaint_definition=SOUTHAMPTON))["1.2"]
    assert found["status"] == "not_met"
    evidence = " ".join(found["evidence"])
    assert '"however made"' in evidence and "lack of action" in evidence and "acting on its behalf" in evidence
    assert "group of residents" in evidence
    assert "The definition calls a complaint an expression of dissatisfaction." in evidence  # the element it has
    assert "policy." not in evidence and "complaint_definition" not in evidence


def test_the_example_definition_is_met(tmp_path):
    assert _provisions(write_policy(tmp_path))["1.2"]["status"] == "met"


def test_an_informal_stage_breaches_5_2_with_two_stages_in_all(tmp_path):
    stages = [{"name": "Informal resolution", "acknowledge_working_days": 5, "respond_working_days": 10, "max_extension_working_days": 10},
              {"name": "Formal complaint", "acknowledge_working_days": 5, "respond_working_days": 20, "max_extension_working_days": 20}]
    found = _provisions(write_policy(tmp_path, policy__stages=stages))
    assert found["5.2"]["status"] == "not_met" and found["5.3"]["status"] == "met"
    assert "Informal resolution | Formal complaint" in " ".join(found["5.2"]["evidence"])


def test_an_officer_as_mrc_fails_9_5_and_an_undeclared_membership_is_not_taken_as_met(tmp_path):
    officer = _provisions(write_policy(tmp_path, roles__member_responsible_for_complaints={
        "title": "Head of Customer Services", "governing_body_member": False}))["9.5"]
    assert officer["status"] == "not_met" and "member of the governing body (or equivalent): no" in " ".join(officer["evidence"])
    data = write_policy(tmp_path, "undeclared.yaml", roles__member_responsible_for_complaints={"title": "Cabinet Member for Housing"})
    undeclared = _provisions(data)["9.5"]
    assert undeclared["status"] == "not_met" and "(or equivalent): not recorded" in " ".join(undeclared["evidence"])


def test_no_service_requests_in_the_register_is_no_breach_of_1_4(tmp_path):
    found = _provisions(write_policy(tmp_path))["1.4"]
    assert found["status"] == "met"
    assert "Repairs system (Northgate)" in " ".join(found["evidence"])
    missing = _provisions(write_policy(tmp_path, "no-where.yaml", policy__service_requests_recorded_in=None))["1.4"]
    assert missing["status"] == "not_met"
