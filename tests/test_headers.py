"""Headings where they are: title rows above a register's headings are skipped and told, --header-row names the
row, every message keeps the file's own row numbers, and a sheet without the columns lists the workbook's sheets."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import openpyxl
import pytest

from checker.load import headers
from checker.load.mapping import load_mapping
from conftest import EXAMPLE, chc

POLICY = EXAMPLE / "policy.yaml"
TITLES = [["Complaints log 2024-25"], [], ["Exported 03/04/2025, by Housing Systems"]]  # the comma makes two fields
HEADINGS = ["case_id", "contact_type", "stage", "received_date", "acknowledged_date", "response_date", "outcome"]
ROWS = [["C1", "complaint", "1", "07/05/2024", "08/05/2024", "20/05/2024", "upheld"],
        ["C2", "complaint", "1", "09/05/2024", "10/05/2024", "", ""],
        ["C3", "enquiry", "", "10/05/2024", "", "", ""]]
NOTE = "headings found on row 4; rows 1-3 above them were not read"


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    return path


def write_book(path: Path, sheets: dict[str, list[list[str]]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for i, row in enumerate(rows, start=1):
            for j, cell in enumerate(row, start=1):
                if cell != "":
                    sheet.cell(i, j, cell)
    book.save(path)
    return path


def titled(tmp_path: Path, suffix: str, rows: list[list[str]] = ROWS) -> Path:
    if suffix == ".csv":
        return write_csv(tmp_path / "log.csv", TITLES + [HEADINGS] + rows)
    return write_book(tmp_path / "log.xlsx", {"Log": TITLES + [HEADINGS] + rows})


def assess(register: Path, *args: object, tmp_path: Path):
    out = tmp_path / "assessment.json"
    result = chc("assess", "--policy", POLICY, "--register", register, "--period", "2024-25", "--format", "json",
                 "--output", out, *args)
    return result, (json.loads(out.read_text()) if result.exit_code == 0 else None)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_title_rows_above_the_headings_are_skipped_and_told_in_one_line(tmp_path, suffix):
    register = titled(tmp_path, suffix)
    result, assessment = assess(register, tmp_path=tmp_path)
    assert result.exit_code == 0, result.stderr
    assert f"{register}: {NOTE}" in result.stderr.splitlines()
    assert assessment["register"]["rows_read"] == 3  # the title rows are not data


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_messages_name_the_files_own_rows_below_title_rows(tmp_path, suffix):
    rows = [*ROWS[:1], ["C2", "complaint", "1", "09/05/2024", "31/02/2024", "", ""], ROWS[2]]
    result, _ = assess(titled(tmp_path, suffix, rows), tmp_path=tmp_path)
    assert result.exit_code == 2
    assert f"{tmp_path / ('log' + suffix)}:6:acknowledged_date: is not a valid date" in result.stderr


def test_a_ragged_row_below_title_rows_is_named_by_its_row(tmp_path):
    register = titled(tmp_path, ".csv", [*ROWS[:2], [*ROWS[2], "stray"]])
    result, _ = assess(register, tmp_path=tmp_path)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == (f"{register}:7: the row has 8 fields but the header has 7 (a comma or line "
                                             "break in a cell that is not in double quotes?); put such a cell in double "
                                             "quotes, or pass --skip-bad-rows to leave the row out")


def test_a_sheet_whose_first_rows_are_blank_is_numbered_from_row_1(tmp_path):
    book = write_book(tmp_path / "log.xlsx", {"Log": [[], [], [""] + HEADINGS, [""] + ROWS[0], ["", "C2", "complaint", "x", "09/05/2024"]]})
    result, _ = assess(book, tmp_path=tmp_path)
    assert result.exit_code == 2
    assert f"{book}:5:stage: must be one of 1, 2" in result.stderr


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_header_row_reads_the_headings_from_the_row_named(tmp_path, suffix):
    result, assessment = assess(titled(tmp_path, suffix), "--header-row", 4, tmp_path=tmp_path)
    assert result.exit_code == 0, result.stderr
    assert NOTE not in result.stderr  # the user named the row: nothing to tell
    assert assessment["register"]["rows_read"] == 3


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_header_row_that_is_not_the_headings_is_refused_with_the_row_that_is(tmp_path, suffix):
    register = titled(tmp_path, suffix)
    result, _ = assess(register, "--header-row", 3, tmp_path=tmp_path)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == (f"{register}:3: --header-row 3: the row holds none of the headings chc "
                                             "expects (case_id, contact_type, received_date); they are on row 4: pass "
                                             "--header-row 4, or leave --header-row out")


def test_a_header_row_past_the_end_of_the_file(tmp_path):
    register = titled(tmp_path, ".csv")
    result, _ = assess(register, "--header-row", 80, tmp_path=tmp_path)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == f"{register}: --header-row 80: the file has only 7 rows"


def test_a_json_register_has_no_header_row(tmp_path):
    register = tmp_path / "r.json"
    register.write_text(json.dumps([dict(zip(HEADINGS, ROWS[0], strict=True))]))
    result, _ = assess(register, "--header-row", 2, tmp_path=tmp_path)
    assert result.exit_code == 2
    assert "--header-row is for CSV and XLSX registers" in result.stderr


def test_a_sheet_without_the_columns_lists_the_sheets_and_the_flags_that_read_the_right_one(tmp_path):
    book = write_book(tmp_path / "book.xlsx", {"Summary": [["Month", "Total"], ["April", "3"]],
                                              "Complaints log": TITLES + [HEADINGS] + ROWS})
    result, _ = assess(book, tmp_path=tmp_path)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == (
        f"{book}: sheet 'Summary' has no heading 'case_id', 'contact_type', 'received_date'; pass --sheet 'Complaints log' "
        "--header-row 4 (the workbook's sheets: 'Summary', row 1: Month, Total; 'Complaints log', row 4: case_id, "
        "contact_type, stage, received_date, acknowledged_date, response_date, outcome)")
    result, assessment = assess(book, "--sheet", "Complaints log", tmp_path=tmp_path)
    assert result.exit_code == 0, result.stderr
    assert assessment["register"]["rows_read"] == 3


def test_no_sheet_with_a_mappings_headings_sends_the_reader_to_the_mapping(tmp_path):
    book = write_book(tmp_path / "book.xlsx", {"Summary": [["Month", "Total"]], "Log": [HEADINGS] + ROWS})
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("columns: {case_id: Ref No}\n")
    result, _ = assess(book, "--mapping", mapping, tmp_path=tmp_path)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0].startswith(
        f"{book}: sheet 'Summary' has no heading 'Ref No', 'contact_type', 'received_date'; no sheet holds them all: "
        "check the mapping's headings against the workbook's (the workbook's sheets: ")


def test_a_one_sheet_workbook_without_the_columns_is_told_column_by_column(tmp_path):
    book = write_book(tmp_path / "book.xlsx", {"Log": [["Ref", "Type", "Date"], ["C1", "complaint", "07/05/2024"]]})
    result, _ = assess(book, tmp_path=tmp_path)
    assert result.exit_code == 2
    assert f"{book}:1:case_id: required column is missing" in result.stderr


def test_the_header_row_is_the_first_holding_the_most_headings(tmp_path):
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("columns: {case_id: Ref No, received_date: Date Logged}\n"
                       "stage2: {received_date: Stage 2 Received, response_date: Stage 2 Response Sent}\n")
    expected = headers.expected(load_mapping(mapping))
    rows = [["Ref No"], [], ["Ref No", "Date Logged", "Stage 2 Received", "stage 2  response sent"],
            ["Ref No", "Date Logged", "Stage 2 Received", "Stage 2 Response Sent"]]
    assert headers.header_index(rows, expected) == 2  # headings compared ignoring case and spacing; the first wins
    assert headers.header_index([[], ["Title"], ["Ref", "Date"]], expected) == 1  # none held: the first row not blank
    assert headers.lacking(rows[0], expected) == ["Date Logged", "Stage 2 Received", "Stage 2 Response Sent",
                                                  "contact_type"]
