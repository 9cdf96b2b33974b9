"""--history: two years and four quarters of the example council recorded into one SQLite file, read back as the
change since last year, the report's trend and `chc history list|show|diff`; and every file chc cannot use refused."""

from __future__ import annotations

import json
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import jsonschema
import polars as pl
import pytest

from checker.history.schema import VERSION
from checker.load.schemas import schema
from conftest import EPOCH, EXAMPLE, chc, example_rows, write_policy

INPUTS = ["--policy", EXAMPLE / "policy.yaml", "--register", EXAMPLE / "register.csv"]
QUARTERS = [f"2024-25-Q{n}" for n in range(1, 5)]
YES = ("met", "not_applicable")


def statuses(data: dict) -> dict[str, str]:
    return {p["id"]: p["status"] for p in data["provisions"]}


def as_json(command: str, period: str, *extra: object) -> dict:
    """`chc assess` or `chc report` of the example as JSON, checked against its schema."""
    out = chc(command, *INPUTS, "--period", period, "--format", "json", *extra, env=EPOCH)
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    jsonschema.Draft202012Validator(schema("assessment" if command == "assess" else "report")).validate(data)
    return data


def rows(history: Path, sql: str, params: tuple = ()) -> list[tuple]:
    """A statement run on its own connection, committed and closed."""
    with closing(sqlite3.connect(history)) as connection, connection:
        return connection.execute(sql, params).fetchall()


@pytest.fixture(scope="module")
def recorded(tmp_path_factory) -> dict:
    """2023-24 then 2024-25 assessed, and each quarter of 2024-25 reported, into one history file."""
    history = tmp_path_factory.mktemp("history") / "history.sqlite"
    runs = {year: as_json("assess", year, "--history", history) for year in ("2023-24", "2024-25")}
    for quarter in QUARTERS:
        runs[quarter] = as_json("report", quarter, "--by", "quarter", "--history", history)
    return {"file": history, **runs}


def copy_of(recorded: dict, tmp_path: Path) -> Path:
    return Path(shutil.copy(recorded["file"], tmp_path / "history.sqlite"))


def test_the_second_year_shows_what_changed_since_the_first(recorded):
    before, now = statuses(recorded["2023-24"]), statuses(recorded["2024-25"])
    newly_met = {p for p in now if now[p] in YES and before[p] not in YES}
    newly_not_met = {p for p in now if now[p] not in YES and before[p] in YES}
    assert newly_met and newly_not_met  # the example's two years differ both ways
    since = recorded["2024-25"]["changes_since"]
    assert since["period"] == "2023-24"
    assert {c["provision"] for c in since["changes"] if c["change"] == "newly_met"} == newly_met
    assert {c["provision"] for c in since["changes"] if c["change"] == "newly_not_met"} == newly_not_met
    assert all((c["before"], c["now"]) == (before[c["provision"]], now[c["provision"]]) for c in since["changes"])
    assert "changes_since" not in recorded["2023-24"]  # nothing recorded for 2022-23


def test_the_terminal_summary_tables_the_changes(recorded, tmp_path):
    history = copy_of(recorded, tmp_path)
    out = chc("assess", *INPUTS, "--period", "2024-25", "--history", history, env={**EPOCH, "COLUMNS": "120"})
    assert out.exit_code == 0, out.output
    change = recorded["2024-25"]["changes_since"]["changes"][0]
    line = next(line for line in out.stdout.splitlines() if line.startswith(change["provision"] + " ") and "newly" in line)
    assert change["change"].replace("_", " ") in line
    assert "Since last year" in out.stdout


def test_the_appendix_and_the_annual_report_table_what_changed_since_last_year(recorded, tmp_path):
    history = copy_of(recorded, tmp_path)
    appendix, annual = tmp_path / "appendix1.md", tmp_path / "annual.md"
    assert chc("assess", *INPUTS, "--period", "2024-25", "--history", history, "--output", appendix, env=EPOCH).exit_code == 0
    assert chc("annual-report", *INPUTS, "--period", "2024-25", "--history", history, "--output", annual, env=EPOCH).exit_code == 0
    before, now = statuses(recorded["2023-24"]), statuses(recorded["2024-25"])
    flipped = [p for p in now if (now[p] in YES) != (before[p] in YES)]
    for path in (appendix, annual):
        text = path.read_text()
        assert "Changes since 2023-24" in text and "| Code provision | Requirement | 2023-24 | 2024-25 |" in text
        table = [line for line in text.splitlines() if line.startswith("| ") and line.endswith((" | Yes | No |", " | No | Yes |"))]
        assert [line.split(" | ")[0].removeprefix("| ") for line in table] == flipped
        for line in table:
            provision = line.split(" | ")[0].removeprefix("| ")
            assert line.endswith(" | No | Yes |") == (now[provision] in YES)


def test_a_rerun_replaces_the_record_in_one_transaction(recorded, tmp_path):
    history = copy_of(recorded, tmp_path)
    out = chc("assess", *INPUTS, "--period", "2024-25", "--history", history, "--generated-at", "2025-06-01T10:00:00Z")
    assert out.exit_code == 0, out.output
    assert "replacing the record made at 2025-05-01T00:00:00+00:00 from the same policy and register" in out.stderr
    runs = rows(history, "SELECT id, recorded_at FROM runs WHERE kind = 'assessment' AND period_label = '2024-25'")
    assert [r[1] for r in runs] == ["2025-06-01T10:00:00+00:00"]
    stored = dict(rows(history, "SELECT provision, status FROM verdicts WHERE run_id = ?", (runs[0][0],)))
    assert stored == statuses(recorded["2024-25"])
    assert rows(history, "SELECT COUNT(*) FROM verdicts")[0][0] == 2 * len(stored)  # two years, no orphan from the old record
    # a record that cannot be written whole is not written at all: the earlier one stands
    rows(history, "CREATE TRIGGER refuse BEFORE INSERT ON verdicts WHEN NEW.provision = '8.1' BEGIN SELECT RAISE(ABORT, 'refused'); END")
    out = chc("assess", *INPUTS, "--period", "2024-25", "--history", history)
    assert out.exit_code == 2
    assert f"{history}: SQLite could not use the history file (refused); it was left as it was" in out.stderr
    assert rows(history, "SELECT id, recorded_at FROM runs WHERE kind = 'assessment' AND period_label = '2024-25'") == runs
    assert rows(history, "SELECT COUNT(*) FROM verdicts")[0][0] == 2 * len(stored)


def test_the_report_shows_the_trend_over_the_stored_quarters(recorded):
    trend = recorded["2024-25-Q4"]["history"]
    assert trend["file"] == "history.sqlite"
    assert [q["period"]["label"] for q in trend["quarters"]] == QUARTERS
    for q in trend["quarters"]:
        own = recorded[q["period"]["label"]]
        for stage in ("stage1", "stage2"):
            assert q[stage]["received"] == own[stage]["received"]
            assert q[stage]["within_timescale"] == {k: own[stage]["within_timescale"][k] for k in ("count", "of")}
    # the quarters come from the history file, not the register: Q1's figures, counted from the rows themselves
    received = example_rows().filter(pl.col("received_date").is_between(pl.lit("2024-04-01"), pl.lit("2024-06-30"))
                                     & (pl.col("contact_type") == "complaint") & (pl.col("stage") == "1")).height
    assert trend["quarters"][0]["stage1"]["received"] == received
    assert [q["period"]["label"] for q in recorded["2024-25-Q2"]["history"]["quarters"]] == QUARTERS[:2]


def test_the_report_document_tables_the_trend(recorded, tmp_path):
    history = copy_of(recorded, tmp_path)
    out = chc("report", *INPUTS, "--period", "2024-25-Q4", "--by", "quarter", "--history", history, env=EPOCH)
    assert out.exit_code == 0, out.output
    trend = out.stdout.split("## Trend over the recorded quarters", 1)[1]
    for q in recorded["2024-25-Q4"]["history"]["quarters"]:
        assert f"| {q['period']['label']} | {q['stage1']['received']} |" in trend


def test_history_list_show_and_diff(recorded):
    history = recorded["file"]
    listed = chc("history", "list", "--history", history)
    assert listed.exit_code == 0, listed.output
    lines = listed.stdout.splitlines()
    assert [line.split()[0] for line in lines[2:]] == ["2023-24", "2024-25", *QUARTERS]
    shown = chc("history", "show", "2024-25", "--history", history)
    assert shown.exit_code == 0, shown.output
    now = statuses(recorded["2024-25"])
    for provision in ("1.2", "8.1"):
        row = next(line for line in shown.stdout.splitlines() if line.split()[:1] == [provision])
        assert now[provision].replace("_", " ") in row
    quarter = chc("history", "show", "2024-25-Q2", "--history", history)
    within = recorded["2024-25-Q2"]["stage1"]["within_timescale"]
    assert f"Stage 1 answered within timescale  {within['count']} of {within['of']}" in quarter.stdout
    diff = chc("history", "diff", "2023-24", "2024-25", "--history", history)
    assert diff.exit_code == 0, diff.output
    for change in recorded["2024-25"]["changes_since"]["changes"]:
        row = next(line for line in diff.stdout.splitlines() if line.split()[:1] == [change["provision"]])
        assert row.endswith(change["change"].replace("_", " "))
    missing = chc("history", "show", "2022-23", "--history", history)
    assert missing.exit_code == 2
    assert "no record of 2022-23 (periods recorded: 2023-24, 2024-25, 2024-25-Q1" in missing.stderr


def test_no_case_reference_or_handler_is_stored(recorded):
    register = example_rows()
    private = set(register["case_id"].drop_nulls()) | set(register["handler"].drop_nulls())
    with closing(sqlite3.connect(recorded["file"])) as connection:
        tables = [t for (t,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        text = {str(v) for t in tables for row in connection.execute(f"SELECT * FROM {t}") for v in row}
    assert not {v for v in text if any(p in v for p in private)}
    assert "Harrowden District Council" in text  # the landlord, as every output names it


def test_a_damaged_file_is_refused_and_left_as_it_is(recorded, tmp_path):
    history = copy_of(recorded, tmp_path)
    whole = history.read_bytes()
    history.write_bytes(whole[: len(whole) // 2])
    not_sqlite = tmp_path / "notes.sqlite"
    not_sqlite.write_text("case_id,handler\n")
    for target in (history, not_sqlite):
        kept = target.read_bytes()
        out = chc("assess", *INPUTS, "--period", "2024-25", "--history", target, "--output", tmp_path / "appendix.json")
        assert out.exit_code == 2
        assert f"{target}: not a chc history file, or a damaged one" in out.stderr
        assert "Traceback" not in out.output
        assert target.read_bytes() == kept
        assert not (tmp_path / "appendix.json").exists()
        assert chc("history", "list", "--history", target).exit_code == 2


def test_another_programs_database_is_refused(tmp_path):
    other = tmp_path / "other.sqlite"
    rows(other, "CREATE TABLE contacts (reference TEXT)")
    out = chc("report", *INPUTS, "--period", "2024-25", "--history", other)
    assert out.exit_code == 2
    assert f"{other}: an SQLite database, but not a chc history file" in out.stderr
    assert [t for (t,) in rows(other, "SELECT name FROM sqlite_master")] == ["contacts"]


def test_a_file_from_a_newer_chc_is_refused(recorded, tmp_path):
    history = copy_of(recorded, tmp_path)
    rows(history, "UPDATE schema_version SET version = ?", (VERSION + 1,))
    kept = history.read_bytes()
    for args in (("assess", *INPUTS, "--period", "2024-25"), ("history", "list")):
        out = chc(*args, "--history", history)
        assert out.exit_code == 2
        assert f"{history}: written by a newer chc (history schema version {VERSION + 1}; this chc reads up to version {VERSION})" in out.stderr
    assert history.read_bytes() == kept


def test_a_locked_file_is_refused_after_a_short_wait(recorded, tmp_path):
    history = copy_of(recorded, tmp_path)
    other = sqlite3.connect(history, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")  # another writer, mid-transaction
    try:
        out = chc("assess", *INPUTS, "--period", "2024-25", "--history", history)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert out.exit_code == 2
    assert f"{history}: the history file is locked by another program" in out.stderr
    assert rows(history, "SELECT recorded_at FROM runs WHERE kind = 'assessment' AND period_label = '2024-25'") == [("2025-05-01T00:00:00+00:00",)]


def test_a_new_file_is_created_at_this_version_and_a_missing_one_is_not_read(tmp_path):
    history = tmp_path / "history.sqlite"
    out = chc("history", "list", "--history", history)
    assert out.exit_code == 2 and "no such history file" in out.stderr
    assert not history.exists()
    out = chc("annual-report", *INPUTS, "--period", "2024-25", "--history", history, "--format", "json", env=EPOCH)
    assert out.exit_code == 0, out.output
    assert rows(history, "SELECT version FROM schema_version") == [(VERSION,)]
    assert rows(history, "SELECT kind FROM runs ORDER BY kind") == [("assessment",), ("figures",)]  # the annual report records both


def test_one_file_holds_one_landlords_history(recorded, tmp_path):
    history = copy_of(recorded, tmp_path)
    policy = write_policy(tmp_path, landlord__name="Elsewhere Homes")
    out = chc("assess", "--policy", policy, "--register", EXAMPLE / "register.csv", "--period", "2024-25", "--history", history)
    assert out.exit_code == 2
    assert "holds the history of Harrowden District Council, not of Elsewhere Homes" in out.stderr


def test_a_policy_only_check_is_never_recorded(tmp_path):
    out = chc("check", "--policy", EXAMPLE / "policy.yaml", "--history", tmp_path / "history.sqlite")
    assert out.exit_code == 2
    assert "give --register" in out.output
    assert not (tmp_path / "history.sqlite").exists()


def test_no_output_may_overwrite_the_history_file(recorded, tmp_path):
    history = copy_of(recorded, tmp_path)
    out = chc("assess", *INPUTS, "--period", "2024-25", "--history", history, "--format", "json", "--output", history)
    assert out.exit_code == 2
    assert "history.sqlite" in out.stderr
    assert rows(history, "SELECT COUNT(*) FROM runs") == [(6,)]
