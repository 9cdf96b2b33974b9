"""A one-year extract of a register: stage 2 complaints that escalate from last year's stage 1 cases, or name none,
are judged on their own dates; only the checks that need the stage 1 case count them apart (issue 14, point 3)."""

from __future__ import annotations

import json

import polars as pl

from conftest import EXAMPLE, chc, example_rows


def _extract(tmp_path, rows: pl.DataFrame):
    path = tmp_path / "extract-2024-25.csv"
    rows.write_csv(path)
    return path


def _one_year() -> pl.DataFrame:
    rows = example_rows()
    return rows.filter(pl.col("received_date") >= "2024-04-01")


def test_stage_2_escalated_from_last_years_cases_is_assessed_and_counted_apart(tmp_path):
    rows = _one_year()
    stage1 = set(rows.filter(pl.col("stage") == "1")["case_id"].to_list())
    orphans = rows.filter((pl.col("stage") == "2") & ~pl.col("escalated_from").is_in(list(stage1)))["case_id"].to_list()
    assert orphans  # the example's 2024-25 escalations include some from 2023-24 complaints
    path = _extract(tmp_path, rows)
    args = ["--policy", EXAMPLE / "policy.yaml", "--register", path, "--period", "2024-25"]
    out = chc("assess", *args, "--format", "json")
    assert out.exit_code == 0, out.output
    provisions = {p["id"]: p for p in json.loads(out.stdout)["provisions"]}
    handler = next(o for o in provisions["6.13"]["outcomes"] if o["rule"] == "CHC-6.13-S2-DIFFERENT-HANDLER")
    assert set(orphans) <= set(handler["unknown_case_ids"])
    assert provisions["6.14"]["status"] == "not_met" and "HDC-24-0130" in provisions["6.14"]["case_ids"]  # judged on its own dates
    report = chc("report", *args, "--format", "json")
    assert report.exit_code == 0, report.output
    in_period = [c for c in orphans if c.split("-")[1] == "24"]
    assert json.loads(report.stdout)["stage2_stage1_not_in_register"] == len(in_period)


def test_a_stage_2_naming_no_stage_1_is_judged_on_its_own_dates(tmp_path):
    rows = example_rows()
    late = rows.with_columns(pl.when(pl.col("case_id") == "HDC-24-0130").then(None).otherwise(pl.col("escalated_from")).alias("escalated_from"))
    out = chc("assess", "--policy", EXAMPLE / "policy.yaml", "--register", _extract(tmp_path, late), "--period", "2024-25", "--format", "json")
    assert out.exit_code == 0, out.output
    provisions = {p["id"]: p for p in json.loads(out.stdout)["provisions"]}
    assert provisions["6.14"]["case_ids"] == ["HDC-24-0130"]
    handler = next(o for o in provisions["6.13"]["outcomes"] if o["rule"] == "CHC-6.13-S2-DIFFERENT-HANDLER")
    assert "HDC-24-0130" in handler["unknown_case_ids"]
    assert any("could not be judged from what the register records" in e for e in provisions["6.13"]["evidence"])


def test_a_log_with_compliments_and_its_own_yes_no_words_is_read_as_it_is(tmp_path):
    """Values as logs hold them (issue 14, point 5): compliments mapped to ignore are counted and left out; yes/no
    columns read y/n, true/false, 1/0 in any case; a mapping's YAML booleans (N: no) mean yes and no."""
    rows = example_rows()
    compliments = pl.DataFrame({c: [None] * 3 for c in rows.columns}, schema=dict.fromkeys(rows.columns, pl.Utf8)).with_columns(
        pl.Series("case_id", ["CMP-0001", "CMP-0002", "CMP-0003"]), pl.lit("Compliment").alias("contact_type"),
        pl.lit("2024-06-03").alias("received_date"))
    rows = pl.concat([rows, compliments]).with_columns(
        pl.col("refusal_explained").replace({"yes": "Y", "no": "N"}),
        pl.col("ombudsman_details_given").replace({"yes": "TRUE", "no": "0"}),
        pl.col("discretion_considered").replace({"yes": "Yes", "no": "NO"}))
    register = _extract(tmp_path, rows)
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("values:\n  contact_type: {Compliment: ignore}\n  refusal_explained: {Y: yes, N: no}\n")
    args = ["--policy", EXAMPLE / "policy.yaml", "--register", register, "--mapping", mapping, "--period", "2024-25"]
    out = chc("assess", *args, "--format", "json")
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert data["register"]["rows_read"] == 423 and data["register"]["rows_ignored"] == 3 and data["register"]["rows_assessed"] == 420
    plain = chc("assess", "--policy", EXAMPLE / "policy.yaml", "--register", EXAMPLE / "register.csv", "--period", "2024-25", "--format", "json")
    assert data["summary"] == json.loads(plain.stdout)["summary"]  # the same verdicts as the contract's own words
    table = chc("assess", *args)
    assert "423 rows read, 420 assessed, 3 left out as their contact type is mapped to ignore" in " ".join(table.stdout.split())
