"""Registers as housing systems export them (issue 14, points 1 and 2): one row per complaint with its stage 2
columns beside stage 1's (a wide layout, read through the mapping's `stage2:`), and one reference for both stages.
Each is built from the bundled example, so its verdicts can be held to the example's own."""

from __future__ import annotations

import json

import polars as pl
import yaml

from conftest import EXAMPLE, chc, example_rows

CASE_LEVEL = ("case_id", "contact_type", "escalated_from", "organisation", "service_area", "themes", "tenure", "issue_date", "aware_date")
# a housing system's headings for the stage 2 columns, as a complaints log writes them
STAGE2_HEADINGS = {
    "received_date": "Stage 2 Received", "acknowledged_date": "Stage 2 Acknowledged", "extended_due_date": "Stage 2 Extended To",
    "extension_good_reason": "Stage 2 Extension Reason Good", "extension_notified_date": "Stage 2 Extension Notified",
    "response_date": "Stage 2 Response Sent", "outcome": "Stage 2 Outcome", "not_accepted_reason": "Stage 2 Refusal Reason",
    "discretion_considered": "Stage 2 Discretion Considered", "refusal_explained": "Stage 2 Refusal Explained",
    "ombudsman_details_given": "Stage 2 HO Details Given", "handler": "Stage 2 Officer", "compensation_offered": "Stage 2 Compensation",
    "remedy": "Stage 2 Remedy", "remedy_due_date": "Stage 2 Remedy Due", "remedy_completed_date": "Stage 2 Remedy Completed",
}


def _wide(rows: pl.DataFrame) -> pl.DataFrame:
    """The example as one row per complaint: each stage 2's own columns moved onto its stage 1's row, no stage column."""
    stage2 = rows.filter(pl.col("stage") == "2")
    beside = stage2.select(pl.col("escalated_from").alias("case_id"), *[pl.col(c).alias(h) for c, h in STAGE2_HEADINGS.items()])
    return rows.filter(pl.col("stage").ne_missing("2")).join(beside, on="case_id", how="left", maintain_order="left").drop("stage")


def _files(tmp_path, rows: pl.DataFrame, stage2: dict[str, str] = STAGE2_HEADINGS):
    register, mapping = tmp_path / "complaints-log.csv", tmp_path / "mapping.yaml"
    rows.write_csv(register)
    mapping.write_text(yaml.safe_dump({"stage2": stage2}))
    return register, mapping


def _assess(register, *args) -> tuple[dict, str]:
    out = chc("assess", "--policy", EXAMPLE / "policy.yaml", "--register", register, "--period", "2024-25", "--format", "json", *args)
    assert out.exit_code == 0, out.output
    return json.loads(out.stdout), out.stderr


def _statuses(assessment: dict) -> dict[str, str]:
    return {p["id"]: p["status"] for p in assessment["provisions"]}


def _outcome(assessment: dict, provision: str, rule: str) -> dict:
    found = next(p for p in assessment["provisions"] if p["id"] == provision)
    return next(o for o in found["outcomes"] if o["rule"] == rule)


def test_a_wide_export_is_judged_as_the_long_register_it_holds(tmp_path):
    rows = example_rows()
    long, _ = _assess(EXAMPLE / "register.csv")
    register, mapping = _files(tmp_path, _wide(rows))
    wide, stderr = _assess(register, "--mapping", mapping)
    assert _statuses(wide) == _statuses(long)
    stage2 = rows.filter(pl.col("stage") == "2").height
    assert wide["register"] | {"source": ""} == long["register"] | {
        "source": "", "rows_read": 420 - stage2, "rows_assessed": 420 - stage2, "stage2_contacts_from_rows": stage2}
    assert "ignored" not in stderr and "stage 2" not in stderr


def test_a_late_stage_2_in_the_stage_2_columns_is_a_breach_of_6_14_with_its_reference(tmp_path):
    rows = _wide(example_rows())
    on_time = rows.filter(pl.col("Stage 2 Received").is_not_null() & (pl.col("Stage 2 Received") >= "2024-06-01")
                          & (pl.col("Stage 2 Response Sent") <= "2025-03-01"))["case_id"][0]
    late = rows.with_columns(pl.when(pl.col("case_id") == on_time).then(pl.lit("2025-03-28")).otherwise(pl.col("Stage 2 Response Sent"))
                             .alias("Stage 2 Response Sent"))
    before, _ = _assess(*(lambda r, m: (r, "--mapping", m))(*_files(tmp_path, rows)))
    register, mapping = _files(tmp_path, late)
    after, _ = _assess(register, "--mapping", mapping)
    six14 = {p["id"]: p for p in after["provisions"]}["6.14"]
    assert six14["status"] == "not_met"
    assert f"{on_time} (stage 2)" in six14["case_ids"]
    assert f"{on_time} (stage 2)" not in {p["id"]: p for p in before["provisions"]}["6.14"]["case_ids"]


def test_stage_2_columns_the_export_lacks_leave_its_stage_2_complaints_unknown_never_judged(tmp_path):
    """No "Stage 2 Officer": the different-handler check (6.13) cannot judge the stage 2s, and says so."""
    register, mapping = _files(tmp_path, _wide(example_rows()).drop("Stage 2 Officer"),
                               {c: h for c, h in STAGE2_HEADINGS.items() if c != "handler"})
    assessment, stderr = _assess(register, "--mapping", mapping)
    handler = _outcome(assessment, "6.13", "CHC-6.13-S2-DIFFERENT-HANDLER")
    assert handler["breaches"] == 0 and handler["unknown"] > 0
    assert all(c.endswith("(stage 2)") for c in handler["unknown_case_ids"])
    assert "the mapping's stage2 names no handler column" in stderr


def test_one_reference_for_both_stages_is_linked_by_the_reference(tmp_path):
    rows = example_rows()
    parent = dict(rows.filter(pl.col("stage") == "2").select("case_id", "escalated_from").iter_rows())
    shared = rows.with_columns(pl.col("case_id").replace(parent), pl.when(pl.col("stage") == "2").then(None)
                               .otherwise(pl.col("escalated_from")).alias("escalated_from"))
    path = tmp_path / "one-reference.csv"
    shared.write_csv(path)
    long, _ = _assess(EXAMPLE / "register.csv")
    same, _ = _assess(path)
    assert _statuses(same) == _statuses(long)
    late = {p["id"]: p for p in long["provisions"]}["6.14"]["case_ids"]
    assert {p["id"]: p for p in same["provisions"]}["6.14"]["case_ids"] == sorted(f"{parent[c]} (stage 2)" for c in late)


def test_a_reference_used_by_anything_but_one_complaints_two_stages_is_a_duplicate(tmp_path):
    rows = example_rows()
    stage1 = rows.filter(pl.col("stage") == "1")["case_id"][0]
    again = rows.filter(pl.col("case_id") == stage1).with_columns(pl.lit("2").alias("stage"), pl.lit(None).alias("escalated_from"))
    path = tmp_path / "register.csv"
    pl.concat([rows, again, again]).write_csv(path)
    out = chc("assess", "--policy", EXAMPLE / "policy.yaml", "--register", path, "--period", "2024-25")
    assert out.exit_code == 2
    assert f"{path}:case_id: duplicate case_id (another row has the same), in 3 rows (" in out.stderr
    assert "only a complaint's stage 1 and stage 2 may share one" in out.stderr


def test_a_bad_stage_2_cell_is_named_by_its_row_and_its_stage_2_field(tmp_path):
    rows = _wide(example_rows())
    escalated = rows.filter(pl.col("Stage 2 Received").is_not_null())["case_id"].to_list()[:2]
    bad = rows.with_columns(
        pl.when(pl.col("case_id") == escalated[0]).then(pl.lit("31/02/2025")).otherwise(pl.col("Stage 2 Response Sent")).alias("Stage 2 Response Sent"),
        pl.when(pl.col("case_id") == escalated[1]).then(pl.lit("2020-01-01")).otherwise(pl.col("Stage 2 Acknowledged")).alias("Stage 2 Acknowledged"))
    register, mapping = _files(tmp_path, bad)
    out = chc("assess", "--policy", EXAMPLE / "policy.yaml", "--register", register, "--mapping", mapping, "--period", "2024-25")
    assert out.exit_code == 2
    row = {c: i + 2 for i, c in enumerate(rows["case_id"].to_list())}
    assert f"{register}:{row[escalated[0]]}:stage2.response_date: is not a valid date; write it as YYYY-MM-DD or DD/MM/YYYY" in out.stderr
    assert f"{register}:{row[escalated[1]]}:stage2.acknowledged_date: is before received_date" in out.stderr
    skipped = chc("assess", "--policy", EXAMPLE / "policy.yaml", "--register", register, "--mapping", mapping, "--period", "2024-25",
                  "--skip-bad-rows", "--format", "json")
    accounts = json.loads(skipped.stdout)["register"]
    assert accounts["rows_skipped"] == 2 and accounts["rows_read"] == accounts["rows_assessed"] + 2
    assert accounts["contacts_assessed"] == accounts["rows_assessed"] + accounts["stage2_contacts_from_rows"]


def test_stage_2_dates_on_a_row_that_is_not_a_complaint_are_refused(tmp_path):
    rows = _wide(example_rows())
    enquiry = rows["contact_type"].to_list().index("enquiry")
    bad = rows.with_columns(pl.Series("Stage 2 Received", [*rows["Stage 2 Received"]]).scatter(enquiry, "2024-09-02"))
    register, mapping = _files(tmp_path, bad)
    out = chc("assess", "--policy", EXAMPLE / "policy.yaml", "--register", register, "--mapping", mapping, "--period", "2024-25")
    assert out.exit_code == 2
    assert f"{register}:{enquiry + 2}:stage2.received_date: is given on a row that is not a complaint" in out.stderr


def test_a_mapped_stage_2_heading_the_export_lacks_is_named_in_the_mapping(tmp_path):
    register, mapping = _files(tmp_path, _wide(example_rows()).drop("Stage 2 Outcome"))
    out = chc("assess", "--policy", EXAMPLE / "policy.yaml", "--register", register, "--mapping", mapping, "--period", "2024-25")
    assert out.exit_code == 2
    assert f"{mapping}:11:stage2.outcome: maps stage2.outcome to 'Stage 2 Outcome', but {register} has no such column" in out.stderr


def test_a_complaints_log_with_no_contact_type_column_reads_every_row_as_a_complaint_and_says_so(tmp_path):
    rows = _wide(example_rows()).filter(pl.col("contact_type") == "complaint").drop("contact_type")
    register, mapping = _files(tmp_path, rows)
    assessment, stderr = _assess(register, "--mapping", mapping)
    assert assessment["register"]["rows_assessed"] == rows.height
    assert assessment["register"]["stage2_contacts_from_rows"] == rows["Stage 2 Received"].drop_nulls().len()
    assert f"{register}:contact_type: the export has no contact type column, so every row is read as a complaint" in stderr


def test_a_wide_export_with_no_escalated_from_links_each_stage_2_by_its_row_and_nothing_else(tmp_path):
    """The row is the link from stage 2 to stage 1 (6.13's handlers are compared), but which service request a stage 1
    arose from is not recorded, so 1.5's check of those is not assessed rather than finding none."""
    long, _ = _assess(EXAMPLE / "register.csv")
    register, mapping = _files(tmp_path, _wide(example_rows()).drop("escalated_from"))
    wide, stderr = _assess(register, "--mapping", mapping)
    handler = _outcome(wide, "6.13", "CHC-6.13-S2-DIFFERENT-HANDLER")
    assert handler["examined"] == _outcome(long, "6.13", "CHC-6.13-S2-DIFFERENT-HANDLER")["examined"] > 0
    assert _outcome(wide, "1.5", "CHC-1.5-DISSATISFIED-REQUEST-ACCEPTED")["result"] == "not_assessed"
    assert "the register has no 'escalated_from' column: 1 rule needing it is not assessed" in stderr
