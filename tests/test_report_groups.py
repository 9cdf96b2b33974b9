"""A report by quarter and organisation: every group's figures from one grouped pass, the same as each group's rows
give on their own."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import sys
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import polars as pl
import pytest

from checker.derive.cases import derive
from checker.derive.period import Period, parse_period
from checker.load.policy import load_policy
from checker.load.register import load_register
from checker.report.figures import PERIOD, Timescales, figures, period_rows
from conftest import EPOCH, EXAMPLE, chc

BENCH = Path(__file__).resolve().parent.parent / "bench"


def bench_module(name: str) -> ModuleType:
    """A generator from bench/ (not a package): make_shapes imports make_registers by name, as it does when run."""
    if str(BENCH) not in sys.path:
        sys.path.insert(0, str(BENCH))
    spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@cache
def generated(tmp: Path, shape: str) -> Path:
    """A small register from the benchmark generators: four organisations, or 400 of which most are missing from
    some quarters."""
    path = tmp / f"{shape}.csv"
    frame = bench_module("make_registers").generate(4_000) if shape == "four" else bench_module("make_shapes").many_organisations(3_000)
    frame.write_csv(path, float_precision=2)
    return path


def one_group_at_a_time(register_path: Path, data: dict[str, Any], catalogue) -> int:
    """Every group's figures (and the year before's), each from its own rows alone: the register derived for the
    group's period, narrowed to its organisation. Returns how many groups were compared."""
    policy = load_policy(EXAMPLE / "policy.yaml")
    register = load_register(register_path)
    times = Timescales.from_catalogue(catalogue)
    derived: dict[Period, pl.DataFrame] = {}
    compared = 0
    for group in data["groups"]:
        for node, figs in ((group["period"], group["figures"]), (group["previous"]["period"], group["previous"])):
            period = Period(dt.date.fromisoformat(node["start"]), dt.date.fromisoformat(node["end"]), node["label"])
            if period not in derived:
                derived[period] = derive(register.frame, period, dt.date.fromisoformat(node["as_of"]), policy.closure_days)
            mine = derived[period].filter(pl.col("organisation") == group["key"]["organisation"])
            alone = figures(period_rows(mine, period, 0), [PERIOD], [(0,)], [period], 0, {}, times)[(0,)]
            expected = {k: v for k, v in figs.items() if k not in ("period", "has_data")}
            assert alone == expected, (group["label"], node["label"])
            compared += 1
    return compared


def grouped(register: Path, period: str) -> dict[str, Any]:
    out = chc("report", "--policy", str(EXAMPLE / "policy.yaml"), "--register", str(register), "--period", period,
              "--by", "quarter", "--by", "organisation", "--compare", "previous-year", "--format", "json", env=EPOCH)
    assert out.exit_code == 0, out.output
    return json.loads(out.stdout)


def test_each_group_of_the_example_has_the_figures_of_its_own_rows(catalogue):
    data = grouped(EXAMPLE / "register.csv", "2024-25")
    assert one_group_at_a_time(EXAMPLE / "register.csv", data, catalogue) == 16  # 4 quarters × 2 organisations, and a year before


@pytest.mark.parametrize("shape, period", [("four", "2024-25"), ("four", "2022-23"), ("many", "2024-25-Q3")])
def test_each_group_of_a_generated_register_has_the_figures_of_its_own_rows(tmp_path_factory, catalogue, shape, period):
    register = generated(tmp_path_factory.getbasetemp(), shape)
    data = grouped(register, period)
    organisations = {g["key"]["organisation"] for g in data["groups"]}
    assert len(organisations) == 4 if shape == "four" else len(organisations) > 100
    assert one_group_at_a_time(register, data, catalogue) == 2 * len(data["groups"])
    if shape == "many":  # organisations with nothing received in the quarter are there, with counts of none
        empty = [g for g in data["groups"] if not g["figures"]["contacts"]["total"]]
        assert empty and all(g["figures"]["stage1"]["by_outcome"]["upheld"] == {"count": 0, "of": 0, "pct": None} for g in empty)


def test_a_group_with_no_rows_has_figures_of_none(catalogue):
    """An organisation named in a period it has no row in: every count 0, every share unknown, every list empty."""
    policy, register = load_policy(EXAMPLE / "policy.yaml"), load_register(EXAMPLE / "register.csv")
    period = parse_period("2024-25")
    rows = period_rows(derive(register.frame, period, period.end, policy.closure_days), period, 0)
    none = figures(rows, [PERIOD, "organisation"], [(0, "Nobody")], [period], 0, {}, Timescales.from_catalogue(catalogue))[(0, "Nobody")]
    assert none["contacts"]["total"] == 0 and all(v == {"count": 0, "pct": None} for v in none["contacts"]["by_type"].values())
    assert none["stage1"]["by_service_area"] == [] and none["stage1"]["overdue_case_ids"] == []
    assert none["stage1"]["within_timescale"] == {"count": 0, "of": 0, "pct": None}
    assert none["tsm"]["tenure_recorded"] is False and none["tsm"]["CH01"]["stage1_per_1000_homes"] is None
    assert none["refused"]["by_reason"] == {} and none["refused"]["explained"] == {"yes": 0, "no": 0, "not_recorded": 0}
    assert none["compensation"] == {"total": 0.0, "cases": 0, "by_quarter": {f"2024-25-Q{q}": 0.0 for q in range(1, 5)}}
    assert none["themes"] == [] and none["escalation_rate_pct"] is None
