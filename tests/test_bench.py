"""The benchmark's own pieces (bench/): the registers it generates, the DuckDB reference it times chc against, and the
per-round arithmetic of its targets. Nothing here is timed: speed is measured by bench/run, never by a unit test."""

from __future__ import annotations

import json
import re
from pathlib import Path

import polars as pl
import pytest

from conftest import ROOT, bench_module, chc

make_registers = bench_module("make_registers")
POLICY = ROOT / "fixtures" / "example" / "policy.yaml"


def write_register(path: Path, rows: int, drop: tuple[str, ...] = ()) -> Path:
    make_registers.generate(rows).drop(drop).write_csv(path, float_precision=2)
    return path


def test_bad_cells_are_refused_each_with_its_line_and_column_and_skipped_with_skip_bad_rows(tmp_path):
    clean = write_register(tmp_path / "clean.csv", 4_000)
    bad = tmp_path / "bad.csv"
    cells = make_registers.write_bad_cells(clean, bad, 5, 4_000)
    assert [column for _, column in cells] == [column for column, _ in make_registers.BAD_CELLS]
    assert len({line for line, _ in cells}) == 5
    refused = chc("assess", "--policy", POLICY, "--register", bad, "--period", "2024-25", "--format", "json")
    assert refused.exit_code == 2
    assert sorted(re.findall(rf"{re.escape(str(bad))}:(\d+):(\w+):", refused.stderr)) == sorted((str(line), column) for line, column in cells)
    skipped = chc("assess", "--policy", POLICY, "--register", bad, "--period", "2024-25", "--format", "json", "--skip-bad-rows")
    assert skipped.exit_code == 0, skipped.stderr
    assert "4000 rows read, 3995 assessed, 5 skipped as invalid" in skipped.stderr
    # every other line is the clean register's, byte for byte
    changed = [n for n, (a, b) in enumerate(zip(clean.read_text().splitlines(), bad.read_text().splitlines(), strict=True), start=1) if a != b]
    assert changed == sorted(line for line, _ in cells)


def test_a_larger_registers_parts_number_their_cases_apart_and_escalate_within_themselves():
    part = make_registers.generate(3_000, part=2, seed=[make_registers.SEED, 9, 2])
    numbers = part["case_id"].str.extract(r"-(\d+)$").cast(pl.Int64)
    assert numbers.min() > 2_000_000 and numbers.max() < 3_000_000
    parents = part["escalated_from"].drop_nulls()
    assert parents.len() > 0 and parents.is_in(part["case_id"].implode()).all()


@pytest.mark.parametrize("drop", [(), ("tenure", "themes")], ids=["whole", "no tenure or themes"])
def test_the_duckdb_reference_gives_every_figure_of_chcs_report_alike(tmp_path, drop):
    pytest.importorskip("duckdb")
    duckdb_report = bench_module("duckdb_report")
    register = write_register(tmp_path / "register.csv", 6_000, drop)
    out = chc("report", "--policy", POLICY, "--register", register, "--period", "2024-25", "--format", "json", "--output", tmp_path / "r.json")
    assert out.exit_code == 0, out.stderr
    report = json.loads((tmp_path / "r.json").read_text())
    figures = duckdb_report.report_figures(str(POLICY), str(register), "2024-25")
    assert len(figures) > 100 and figures["stage1.responded"] > 0
    assert duckdb_report.differences(figures, report) == []
    # a figure chc gives otherwise is reported, naming it
    report["stage2"]["within_timescale"]["count"] += 1
    assert [d.split(":")[0] for d in duckdb_report.differences(figures, report)] == ["stage2.within_timescale.count"]


def test_per_row_cost_compares_1m_to_5m_with_100k_to_1m_round_by_round():
    measure, run = bench_module("measure"), bench_module("run")
    group = run.Group("scale", "", {f"assess {s}": run.Command([]) for s in ("100k", "1m", "5m")}, rounds=2, warm_up=False)
    wall = {"100k": [1.0, 2.0], "1m": [4.0, 5.0], "5m": [20.0, 21.0]}
    group.runs = {f"assess {s}": [measure.Run(w, 100.0, 0) for w in walls] for s, walls in wall.items()}
    # round 1: (20 - 4) / 4M against (4 - 1) / 900k = 1.2; round 2: (21 - 5) / 4M against (5 - 2) / 900k = 1.2
    assert run.per_row(group, "assess") == pytest.approx([1.2, 1.2])
    group.runs["assess 5m"][1] = measure.Run(21.0, 100.0, 1)  # a failed run has no ratio
    assert run.per_row(group, "assess") == pytest.approx([1.2])
    assert run.ratios(group, "assess 1m", "assess 100k") == pytest.approx([4.0, 2.5])
