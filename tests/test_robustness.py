"""Exit statuses that mean one thing each, stamps that change nothing but the stamp, writes that cannot hurt, and
outputs that survive any cell. (The malformed inputs themselves are in tests/corpus.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.dom.minidom
import zipfile
from pathlib import Path

import polars as pl
import pytest

from checker.verdict import assessment
from conftest import EPOCH, EXAMPLE, EXAMPLE_ARGS, ROOT, chc, example_rows, with_metadata, write_policy

# --- exit statuses -----------------------------------------------------------------------------------------------


def _broken(*args, **kwargs):
    raise ZeroDivisionError("a bug, with a cell's text in its message: Mrs O'Brien")


def test_an_internal_error_exits_3_in_one_line_without_the_errors_text(monkeypatch):
    monkeypatch.setattr(assessment, "derive", _broken)
    out = chc("check", *EXAMPLE_ARGS)
    assert out.exit_code == 3  # never 1, which a CI gate reads as "a provision is not met"
    lines = [line for line in out.stderr.splitlines() if not line.startswith("chc: read ")]  # the inputs it read, then one line
    assert len(lines) == 1 and lines[0].startswith("chc: internal error (ZeroDivisionError at assessment:")
    assert "Traceback" not in out.output and "O'Brien" not in out.output


class PanicException(BaseException):
    """As pyo3 raises a panic in polars' Rust code: a BaseException, not an Exception."""


def test_a_panic_in_polars_is_an_internal_error_too(monkeypatch):
    def panic(*args, **kwargs):
        raise PanicException("assertion failed: i < self.len()")

    monkeypatch.setattr(assessment, "derive", panic)
    out = chc("check", *EXAMPLE_ARGS)
    assert out.exit_code == 3 and out.stderr.splitlines()[-1].startswith("chc: internal error (PanicException at assessment:")
    assert "Traceback" not in out.output


@pytest.mark.parametrize("switch", [["--debug"], []])
def test_debug_or_chc_debug_adds_the_traceback(monkeypatch, switch):
    monkeypatch.setattr(assessment, "derive", _broken)
    out = chc(*switch, "assess", *EXAMPLE_ARGS, env={} if switch else {"CHC_DEBUG": "1"})
    assert out.exit_code == 3
    assert "Traceback (most recent call last)" in out.stderr and "ZeroDivisionError" in out.stderr


def test_a_closed_pipe_ends_quietly_and_a_full_disk_on_standard_output_exits_2():
    command = [sys.executable, "-c", "from cli import main; main()", "rules", "doc"]  # no register to read: quick
    # `true` reads nothing and is gone long before chc writes
    piped = subprocess.run(f"{' '.join(command[:2])} '{command[2]}' {' '.join(command[3:])} | true; exit ${{PIPESTATUS[0]}}",
                           shell=True, executable="/bin/bash", cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert piped.returncode == 2 and piped.stderr == ""
    with open("/dev/full", "w") as full:
        out = subprocess.run(command, cwd=ROOT, stdout=full, stderr=subprocess.PIPE, text=True, timeout=120)
    assert out.returncode == 2
    assert out.stderr.strip() == "chc: cannot write to standard output: no space left on device"


# --- stamps ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("stamp", ["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-01:00", "1969-12-31T23:59:59Z", "yesterday"])
def test_a_generated_at_outside_1970_to_9999_is_a_usage_error(stamp):
    out = chc("assess", *EXAMPLE_ARGS, "--generated-at", stamp)
    assert out.exit_code == 2 and "is not a date and time from 1970 to 9999" in out.stderr


@pytest.mark.parametrize("epoch", ["99999999999999", "-5", "1.5e9", "soon"])
def test_a_source_date_epoch_outside_1970_to_9999_is_a_usage_error(epoch):
    out = chc("assess", *EXAMPLE_ARGS, env={"SOURCE_DATE_EPOCH": epoch})
    assert out.exit_code == 2 and "is not a whole number of seconds from 1970 to 9999" in out.stderr


def test_a_stamp_changes_the_printed_time_and_never_a_verdict(tmp_path):
    def statuses(env: dict[str, str]) -> dict[str, str]:
        out = chc("assess", *EXAMPLE_ARGS, "--format", "json", env=env)
        assert out.exit_code == 0, out.stderr
        data = json.loads(out.stdout)
        return {"as_of": data["period"]["as_of"], **{p["id"]: p["status"] for p in data["provisions"]}}

    assert statuses({"SOURCE_DATE_EPOCH": "0"}) == statuses(EPOCH) == statuses({})


# --- writes ------------------------------------------------------------------------------------------------------


def test_an_output_that_is_an_input_is_refused_and_the_input_kept(tmp_path):
    register = tmp_path / "r.csv"
    example_rows().write_csv(register)
    before = register.read_bytes()
    out = chc("assess", "--policy", EXAMPLE / "policy.yaml", "--register", register, "--period", "2024-25", "--output", tmp_path / "." / "r.csv",
              "--format", "json")
    assert out.exit_code == 2 and "is an input of this run" in out.stderr
    assert register.read_bytes() == before
    policy = write_policy(tmp_path, "new.yaml")
    out = chc("diff", EXAMPLE / "policy.yaml", policy, "--output", policy)
    assert out.exit_code == 2 and "is an input of this run" in out.stderr


def test_two_spellings_of_one_output_are_refused_before_anything_is_written(tmp_path):
    (tmp_path / "sub").mkdir()
    out = chc("assess", *EXAMPLE_ARGS, "--output", tmp_path / "b.json", "--output", tmp_path / "sub" / ".." / "b.json")
    assert out.exit_code == 2 and "are the same file" in out.stderr
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["sub"]


def test_an_output_that_is_a_folder_leaves_every_other_output_unwritten(tmp_path):
    (tmp_path / "taken.json").mkdir()
    out = chc("assess", *EXAMPLE_ARGS, "--output", tmp_path / "first.json", "--format", "json",
              "--output", tmp_path / "taken.json", "--format", "json")
    assert out.exit_code == 2 and "is a folder" in out.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken.json"]


def test_a_planted_link_at_the_old_temporary_name_is_never_followed(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    for pid in range(os.getpid() - 50, os.getpid() + 50):  # the names chc once used: .<name>.<pid>.tmp
        (tmp_path / f".report.json.{pid}.tmp").symlink_to(victim)
    out = chc("assess", *EXAMPLE_ARGS, "--output", tmp_path / "report.json")
    assert out.exit_code == 0, out.stderr
    assert victim.read_text() == "keep me"
    assert json.loads((tmp_path / "report.json").read_text())["provisions"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".chc-")]  # no temporary file left


def test_special_files_are_written_to_not_replaced(tmp_path):
    out = chc("assess", *EXAMPLE_ARGS, "--output", "/dev/null", "--format", "json")
    assert out.exit_code == 0 and Path("/dev/null").is_char_device()
    out = chc("assess", *EXAMPLE_ARGS, "--output", tmp_path / "a.json", "--output", "/dev/full", "--format", "json", "--format", "json")
    assert out.exit_code == 2 and "cannot write /dev/full: no space left on device; written:" in out.stderr
    assert Path("/dev/full").is_char_device()


def test_dev_stdout_as_an_output_writes_to_the_shells_file_without_replacing_it(tmp_path):
    shown = tmp_path / "shown.json"
    shown.write_text("")
    before = shown.stat().st_ino
    with shown.open("w") as stdout:
        ran = subprocess.run([sys.executable, "-c", "from cli import main; main()", "assess", *EXAMPLE_ARGS, "--format", "json",
                              "--output", "/dev/stdout"], cwd=ROOT, stdout=stdout, stderr=subprocess.PIPE, text=True, timeout=120)
    assert ran.returncode == 0, ran.stderr
    assert shown.stat().st_ino == before and json.loads(shown.read_text())["provisions"]


def test_a_long_valid_name_is_written_with_a_short_temporary_name(tmp_path):
    target = tmp_path / ("a" * 245 + ".json")
    out = chc("assess", *EXAMPLE_ARGS, "--output", target)
    assert out.exit_code == 0, out.stderr
    assert target.stat().st_size > 0 and os.stat(target).st_mode & 0o777 == 0o666 & ~_umask()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# --- any cell ----------------------------------------------------------------------------------------------------


def test_control_characters_in_cells_are_shown_and_every_format_survives(tmp_path):
    rows = example_rows().with_columns(
        pl.when(pl.col("case_id") == "HDC-24-0037").then(pl.lit("HDC-24-\x070037\x1b[31m")).otherwise(pl.col("case_id")).alias("case_id"),
        pl.when(pl.col("service_area") == "Repairs").then(pl.lit("Repairs\x0b")).otherwise(pl.col("service_area")).alias("service_area"))
    register = tmp_path / "register.csv"
    rows.write_csv(register)
    policy = write_policy(tmp_path, landlord__name="The Council of the Borough of Harrowden, acting through " + "its arm's-length " * 20 + "company")
    files = {fmt: tmp_path / f"out.{fmt}" for fmt in ("docx", "xlsx", "junit", "md", "html", "json", "csv", "sarif")}
    pairs = [a for fmt, path in files.items() for a in ("--format", fmt, "--output", path)]
    out = chc("assess", "--policy", policy, "--register", register, "--period", "2024-25", *pairs, env=EPOCH)
    assert out.exit_code == 0, out.stderr
    assert f"{register}:case_id: 1 cell held control characters (row " in out.stderr
    assert "service_area: " in out.stderr
    xml.dom.minidom.parse(str(files["junit"]))
    with zipfile.ZipFile(files["docx"]) as word:
        core = word.read("docProps/core.xml").decode()
    assert "…</dc:subject>" in core
    text = "".join(path.read_text(encoding="utf-8", errors="replace") for fmt, path in files.items() if fmt not in ("docx", "xlsx"))
    assert "\x1b" not in text and "\x07" not in text and "HDC-24-\u24070037\u241b[31m" in files["json"].read_text()
    terminal = chc("assess", "--policy", policy, "--register", register, "--period", "2024-25")
    assert "\x1b" not in terminal.stdout
    reports = {fmt: tmp_path / f"report.{fmt}" for fmt in ("docx", "html", "md", "json")}
    pairs = [a for fmt, path in reports.items() for a in ("--format", fmt, "--output", path)]
    out = chc("annual-report", "--policy", policy, "--register", register, "--period", "2024-25", "--by", "quarter", *pairs, env=EPOCH)
    assert out.exit_code == 0, out.stderr
    assert all("\x1b" not in path.read_text(encoding="utf-8", errors="replace") for fmt, path in reports.items() if fmt != "docx")


def test_a_policy_changed_only_in_its_stamp_of_the_period_keeps_its_period():
    """chc check without --period takes the current financial year from the clock, not from SOURCE_DATE_EPOCH."""
    out = chc("check", "--policy", EXAMPLE / "policy.yaml", "--format", "json", env={"SOURCE_DATE_EPOCH": "0"})
    assert out.exit_code in (0, 1), out.stderr
    assert json.loads(out.stdout)["period"]["label"] != "1970-71"



def test_hundreds_of_policy_rules_run_as_the_engine_sees_only_their_outcomes(tmp_path):
    """durable-rules never returns from a ruleset of 512 rules; chc's rulesets are its own 17 inference rules,
    whatever the number of landlord rules, because conditions are evaluated by polars."""
    import yaml

    rules = [with_metadata({"id": f"LL-9.5-R{i:03d}", "provisions": ["9.5"], "title": "t", "scope": "policy", "severity": "low",
                            "breach": {"field": "landlord.homes", "eq": i}, "evidence": "e", "remediation": "r"}) for i in range(600)]
    (tmp_path / "mine.yaml").write_text(yaml.safe_dump({"rules": rules}))
    out = chc("assess", *EXAMPLE_ARGS, "--rules", tmp_path, "--format", "json")
    assert out.exit_code == 0, out.stderr
    provision = next(p for p in json.loads(out.stdout)["provisions"] if p["id"] == "9.5")
    assert len([o for o in provision["outcomes"] if o["rule"].startswith("LL-9.5-R")]) == 600
