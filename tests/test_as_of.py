"""The as-of date bounds the data: a contact received after it is outside the assessment and counted apart in every
output's accounting, and no working-day count is ever below 0. (The messages are in tests/corpus.)"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import jsonschema
import polars as pl
import pytest

from checker.derive.cases import derive, received_by
from checker.derive.period import parse_period
from checker.load.mapping import load_mapping
from checker.load.policy import load_policy
from checker.load.register import load_register
from checker.load.schemas import schema
from checker.verdict.assessment import assess
from conftest import EPOCH, EXAMPLE, chc, result

CORPUS = Path(__file__).parent / "corpus"
# the repro: received in September and January, never acknowledged, judged as at 1 June
LATER = CORPUS / "register" / "received_after_as_of.csv"
HEADER = "case_id,contact_type,stage,escalated_from,received_date,acknowledged_date,response_date,outcome,compensation_offered\n"
POLICY = ["--policy", str(EXAMPLE / "policy.yaml")]
WORKING_DAYS = ("working_days_to_acknowledge", "working_days_to_respond", "working_days_to_extended_due",
                "working_days_to_extension_notice", "working_days_remedy_overdue")


def _with_one_before(tmp_path: Path) -> Path:
    """The repro and one complaint received before the as-of date, acknowledged after 8 working days."""
    path = tmp_path / "register.csv"
    path.write_text(LATER.read_text() + "CMP-0100,complaint,1,,2024-05-01,2024-05-14,2024-05-21,upheld,0\n")
    return path


def _accounts_for_every_row(register: dict) -> None:
    assert register["rows_read"] == (register["rows_assessed"] + register["rows_skipped"] + register["rows_ignored"]
                                     + register["rows_after_as_of"])
    assert register["contacts_assessed"] == register["rows_assessed"] + register["stage2_contacts_from_rows"]


def _json(command: str, register: Path, *args: str) -> dict:
    """The command's JSON for 2024-25, checked against its schema."""
    out = chc(command, *POLICY, "--register", register, "--period", "2024-25", *args, "--format", "json", env=EPOCH)
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    jsonschema.Draft202012Validator(schema("assessment" if command == "assess" else "report")).validate(data)
    return data


def test_complaints_received_after_the_as_of_date_are_not_counted_as_acknowledged_in_time(tmp_path):
    data = _json("assess", _with_one_before(tmp_path), "--as-of", "2024-06-01")
    six_two = next(p for p in data["provisions"] if p["id"] == "6.2")
    assert six_two["evidence"][0] == "Measured from the register: 0 of 1 stage 1 complaints acknowledged within 5 working days (0%)."
    assert six_two["case_ids"] == ["CMP-0100"]
    register = data["register"]
    assert (register["rows_read"], register["rows_assessed"], register["rows_after_as_of"], register["rows_in_period"]) == (4, 1, 3, 1)
    _accounts_for_every_row(register)


def test_the_accounting_sentence_counts_them_in_every_format_that_states_it(tmp_path):
    register = _with_one_before(tmp_path)
    sentence = "4 rows read, 1 assessed, 3 received after the as-of date"
    for fmt in ("table", "md", "junit", "sarif"):
        out = chc("assess", *POLICY, "--register", register, "--period", "2024-25", "--as-of", "2024-06-01", "--format", fmt, env=EPOCH)
        assert sentence in out.stdout, fmt
    assert f"chc: {sentence}" in out.stderr


def test_the_report_counts_them_too_and_validates(tmp_path):
    data = _json("report", _with_one_before(tmp_path), "--as-of", "2024-06-01")
    assert data["register"]["rows_after_as_of"] == 3
    _accounts_for_every_row(data["register"])


def test_without_as_of_the_period_end_bounds_the_data(tmp_path):
    """A register exported after the year holds the next year's first complaints: outside a 2024-25 assessment."""
    path = tmp_path / "register.csv"
    path.write_text(HEADER + "CMP-1,complaint,1,,2025-03-03,2025-03-04,2025-03-10,upheld,0\nCMP-2,complaint,1,,2025-04-07,,,,\n")
    data = _json("assess", path)
    assert (data["register"]["rows_assessed"], data["register"]["rows_after_as_of"]) == (1, 1)


def test_a_wide_row_goes_with_its_stage_1_and_a_later_stage_2_goes_alone():
    register = load_register(CORPUS / "register" / "wide_log_valid.csv", load_mapping(CORPUS / "mapping" / "wide_log.yaml"))
    assert (register.rows_read, register.rows_ignored, register.stage2_from_rows) == (4, 1, 2)
    # CMP-0002's stage 2 (3 June) is after 1 June; its stage 1 and CMP-0003's two stages are not
    june = received_by(register, dt.date(2024, 6, 1)).counts()
    assert (june["rows_assessed"], june["rows_after_as_of"], june["stage2_contacts_from_rows"], june["contacts_assessed"]) == (3, 0, 1, 4)
    # on 8 May CMP-0003 (received 9 May) is after it, both its stages with it; CMP-0002's stage 2 too
    may = received_by(register, dt.date(2024, 5, 8)).counts()
    assert (may["rows_assessed"], may["rows_after_as_of"], may["stage2_contacts_from_rows"], may["contacts_assessed"]) == (2, 1, 0, 2)
    for counts in (june, may):
        assert counts["rows_read"] == counts["rows_assessed"] + counts["rows_skipped"] + counts["rows_ignored"] + counts["rows_after_as_of"]


def test_bounding_twice_counts_each_row_once():
    register = load_register(LATER)
    once = received_by(register, dt.date(2024, 6, 1))
    assert received_by(once, dt.date(2024, 6, 1)).counts() == once.counts()
    assert once.rows_after_as_of == 3 and once.frame.height == 0


@pytest.fixture
def clocks(tmp_path) -> pl.DataFrame:
    """Dates whose clocks stop before they start: answered before acknowledged, acknowledged after the as-of date,
    an extension due before the acknowledgement, a remedy completed early; and, for a caller that derives an unbounded
    register itself, a complaint received after the as-of date."""
    path = tmp_path / "register.csv"
    path.write_text(
        "case_id,contact_type,stage,received_date,acknowledged_date,extended_due_date,extension_notified_date,response_date,"
        "remedy_due_date,remedy_completed_date\n"
        "A1,complaint,1,2024-05-01,2024-05-10,,,2024-05-03,2024-06-10,2024-05-20\n"
        "A2,complaint,1,2024-05-28,2024-06-05,,,,,\n"
        "A3,complaint,1,2024-05-01,2024-05-10,2024-05-08,2024-05-02,,,\n"
        "A4,complaint,1,2024-09-16,,,,,,\n")
    return derive(load_register(path).frame, parse_period("2024-25"), dt.date(2024, 6, 1), [])


def test_no_working_day_count_is_ever_negative(clocks):
    assert clocks["case_id"].to_list() == ["A1", "A2", "A3"]  # A4, received after the as-of date, is not derived
    for column in WORKING_DAYS:
        assert (clocks[column].drop_nulls() >= 0).all(), column
    days = {row["case_id"]: row for row in clocks.iter_rows(named=True)}
    assert days["A1"]["working_days_to_respond"] == 0 and days["A1"]["working_days_remedy_overdue"] == 0
    assert days["A2"]["working_days_to_acknowledge"] == 6  # acknowledged 5 June: still 6 days, and late, after 28 May
    assert days["A2"]["working_days_to_respond"] == 0  # on 1 June the response clock, from 5 June, has not started
    assert days["A3"]["working_days_to_extended_due"] == 0 and days["A3"]["working_days_to_extension_notice"] == 0


def test_assess_bounds_a_register_it_is_given_unbounded(catalogue, rulebook):
    assessment = assess(load_policy(EXAMPLE / "policy.yaml"), load_register(LATER), catalogue, rulebook, parse_period("2024-25"),
                        dt.date(2024, 6, 1))
    assert assessment.register.rows_after_as_of == 3 and assessment.rows_in_period == 0
    assert "3 of 3" not in " ".join(result(assessment, "6.2").evidence)
