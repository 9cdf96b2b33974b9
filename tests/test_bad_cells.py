"""A register full of bad cells: refused (or its rows skipped) with one line a column and problem, the rows counted and
the first five named, whatever the number of bad cells; the cells are found column-wise (errors.Breach)."""

from __future__ import annotations

import json

import numpy as np
import polars as pl
import pytest

from checker.errors import Breach, InputError, Problem, grouped, in_order
from checker.load.register import load_register
from conftest import EXAMPLE, chc, example_rows

WRITE_DATE = "write it as YYYY-MM-DD or DD/MM/YYYY"
WRITE_NUMBER = "write an amount such as 150, 1250.50, 1,250.50 or £1,250.50 (a comma only between groups of three digits, at most two digits of pence)"


@pytest.fixture
def full_of_errors(tmp_path):
    """The example register with every enquiry's received date impossible, and the amount of every third of them a word.

    Enquiries: no case escalates from one, so skipping them leaves every link whole."""
    rows = example_rows().with_row_index("i")
    enquiry = pl.col("contact_type").is_in(["enquiry", "mp_enquiry"])
    rows = rows.with_columns(
        pl.when(enquiry).then(pl.lit("31/02/2024")).otherwise(pl.col("received_date")).alias("received_date"),
        pl.when(enquiry & (pl.col("i") % 3 == 0)).then(pl.lit("twelve pounds")).otherwise(pl.col("compensation_offered"))
        .alias("compensation_offered"))
    bad_dates = rows.filter(enquiry)["i"].to_numpy() + 2  # the source row: the header is row 1
    bad_amounts = rows.filter(enquiry & (pl.col("i") % 3 == 0))["i"].to_numpy() + 2
    path = tmp_path / "register.csv"
    rows.drop("i").write_csv(path)
    return path, bad_dates, bad_amounts


def shown(rows) -> str:
    return ", ".join(map(str, rows[:5])) + f" and {len(rows) - 5:,} more"


def test_a_register_full_of_bad_cells_is_refused_with_one_line_a_column_and_problem(full_of_errors):
    path, bad_dates, bad_amounts = full_of_errors
    assert len(bad_dates) > 50 and len(bad_amounts) > 10
    out = chc("assess", "--policy", EXAMPLE / "policy.yaml", "--register", path, "--period", "2024-25")
    assert out.exit_code == 2
    assert out.stderr.splitlines() == [  # in the order met: row 2 holds both, and its fields are read in order
        f"{path}:compensation_offered: is not a number, in {len(bad_amounts)} rows ({shown(bad_amounts)}); {WRITE_NUMBER}",
        f"{path}:received_date: is not a valid date, in {len(bad_dates)} rows ({shown(bad_dates)}); {WRITE_DATE}",
        f"chc: {len(bad_dates) + len(bad_amounts)} problems in the input; stopped before producing any result",
    ]


def test_each_bad_cell_is_still_a_problem_of_its_own_in_row_order(full_of_errors):
    path, bad_dates, bad_amounts = full_of_errors
    with pytest.raises(InputError) as caught:
        load_register(path)
    assert all(isinstance(found, Breach) for found in caught.value.found)  # column-wise: one a check, not one a cell
    problems = caught.value.problems
    assert caught.value.count == len(problems) == len(bad_dates) + len(bad_amounts)
    assert [(p.row, p.field) for p in problems] == sorted(
        [(int(r), "received_date") for r in bad_dates] + [(int(r), "compensation_offered") for r in bad_amounts])


def test_skip_bad_rows_leaves_out_exactly_the_bad_rows_and_accounts_for_each(tmp_path, full_of_errors):
    path, bad_dates, bad_amounts = full_of_errors
    out = chc("assess", "--policy", EXAMPLE / "policy.yaml", "--register", path, "--period", "2024-25", "--skip-bad-rows",
              "--format", "json", "--output", tmp_path / "assessment.json")
    assert out.exit_code == 0, out.output
    assert (f"{path}:received_date: is not a valid date, in {len(bad_dates)} rows ({shown(bad_dates)}); {WRITE_DATE} "
            "(left out, with --skip-bad-rows)") in out.stderr.splitlines()
    register = json.loads((tmp_path / "assessment.json").read_text())["register"]
    assert register["rows_skipped"] == len(bad_dates)
    assert register["rows_read"] == register["rows_assessed"] + register["rows_skipped"] == example_rows().height
    reasons = {r["row"]: r["reasons"] for r in register["skipped_rows"]}
    assert sorted(reasons) == bad_dates.tolist()
    amount = set(bad_amounts.tolist())
    assert all(reasons[row] == ["compensation_offered: is not a number"] * (row in amount) + ["received_date: is not a valid date"]
               for row in reasons)  # by field, as a person reads the row


def test_rows_with_the_same_reasons_share_one_list(full_of_errors):
    path, bad_dates, _ = full_of_errors
    skipped = load_register(path, skip_bad_rows=True).skipped_rows
    assert len(skipped) == len(bad_dates) and len({id(reasons) for _, reasons in skipped}) == 2


def test_a_breach_is_grouped_and_ordered_as_its_problems_one_a_row_would_be():
    breaches = [Breach("r.csv", "stage", "must be one of 1, 2", "fix", np.array([7, 9, 40, 41, 42, 50, 61])),
                Breach("r.csv", "outcome", "must be one of upheld", None, np.array([3])),
                Breach("r.csv", "stage", "must be one of 1, 2", "fix", np.array([8]))]  # the same problem, found apart
    problem = Problem("r.csv", 5, "stage", "must be one of 1, 2", "fix")
    found = [*breaches, problem]
    one_a_row = in_order([p for b in breaches for p in b.problems()] + [problem])
    assert grouped(in_order(found)) == grouped(one_a_row) == [
        "r.csv:3:outcome: must be one of upheld",
        "r.csv:stage: must be one of 1, 2, in 9 rows (5, 7, 8, 9, 40 and 4 more); fix",
    ]
    error = InputError(found, by_row=True)
    assert error.problems == one_a_row and error.count == 10 and str(error) == "\n".join(map(str, one_a_row))
