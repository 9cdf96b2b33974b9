"""Every row accounted for (--skip-bad-rows), no personal data in anything chc writes, byte-identical reruns."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import EXAMPLE, chc, every_output, example_rows, patch_rows, readable_text


@pytest.fixture
def bad_register(tmp_path) -> Path:
    """The example with an impossible date on a stage 1 case (whose stage 2 then hangs loose) and an unknown outcome."""
    rows = patch_rows(example_rows(), {"HRL-24-0002": {"received_date": "31/02/2024"}, "HDC-24-0003": {"outcome": "sorted"}})
    path = tmp_path / "register.csv"
    rows.write_csv(path)
    return path


def test_bad_rows_stop_the_run_by_default_with_every_problem(bad_register):
    out = chc("assess", "--policy", str(EXAMPLE / "policy.yaml"), "--register", str(bad_register), "--period", "2024-25")
    assert out.exit_code == 2
    assert "received_date: is not a valid date" in out.stderr and "outcome: must be one of" in out.stderr
    assert "31/02/2024" not in out.stderr and "sorted" not in out.stderr  # a refused cell is never repeated


def test_skip_bad_rows_accounts_for_every_row_in_every_output(tmp_path, bad_register):
    import json

    files = every_output(tmp_path, bad_register, "--skip-bad-rows")
    data = json.loads((tmp_path / "assess.json").read_text())["register"]
    assert data["rows_read"] == 420 == data["rows_assessed"] + data["rows_skipped"]
    skipped = {r["row"]: r["reasons"] for r in data["skipped_rows"]}
    rows = example_rows()["case_id"].to_list()
    child = rows.index("HRL-24-0009") + 2  # the stage 2 escalated from the bad stage 1: skipped with it
    assert sorted(skipped) == sorted([rows.index("HRL-24-0002") + 2, rows.index("HDC-24-0003") + 2, child])
    assert skipped[child] == ["escalated_from: names a case skipped as invalid"]
    assert all("31/02/2024" not in reason for reasons in skipped.values() for reason in reasons)  # no cell content
    for path in files:
        assert (f'"row": {child}' if path.suffix == ".json" else f"row {child}") in readable_text(path), path.name
    report = json.loads((tmp_path / "report.json").read_text())["register"]
    assert report["rows_read"] == report["rows_assessed"] + report["rows_skipped"] == 420


def test_the_same_input_gives_byte_identical_files_in_every_format(tmp_path):
    first = every_output(tmp_path, EXAMPLE / "register.csv", tag="-1")
    second = every_output(tmp_path, EXAMPLE / "register.csv", tag="-2")
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name
    assert '"generated_at": "2025-05-01T09:00:00+00:00"' in (tmp_path / "assess-1.json").read_text()


def test_a_bad_generated_at_is_a_usage_error():
    out = chc("assess", "--policy", str(EXAMPLE / "policy.yaml"), "--register", str(EXAMPLE / "register.csv"),
               "--period", "2024-25", "--generated-at", "yesterday")
    assert out.exit_code == 2 and "'yesterday' is not a date and time" in out.output


def test_day_first_dates_are_not_guessed_when_the_column_also_holds_month_first_ones(tmp_path):
    rows = patch_rows(example_rows(), {"HDC-23-0001": {"issue_date": "07/25/2023"}, "HDC-23-0002": {"issue_date": "05/04/2023"},
                                       "HDC-23-0003": {"issue_date": "25/04/2023"}})
    path = tmp_path / "register.csv"
    rows.write_csv(path)
    out = chc("assess", "--policy", str(EXAMPLE / "policy.yaml"), "--register", str(path), "--period", "2024-25")
    assert out.exit_code == 2
    row = example_rows()["case_id"].to_list().index("HDC-23-0002") + 2
    month_first = example_rows()["case_id"].to_list().index("HDC-23-0001") + 2
    assert (f"{path}:{row}:issue_date: is ambiguous: this column also holds month-first dates (row {month_first}, for one), "
            "so chc will not guess whether it is day-first") in out.stderr
    day_first = example_rows()["case_id"].to_list().index("HDC-23-0003") + 2
    assert f":{day_first}:issue_date" not in out.stderr  # day-first beyond doubt: read as 25 April
