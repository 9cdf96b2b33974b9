"""A report by quarter and organisation: every group's figures from one grouped pass, the same as each group's rows
give on their own; and in documents, an open-ended breakdown cut to its largest few and one 'Other' line, while the
JSON keeps every value."""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from checker.derive.cases import derive
from checker.derive.period import Period, parse_period
from checker.load.activity import load_activity
from checker.load.policy import load_policy
from checker.load.register import load_register
from checker.report.data import report_data
from checker.report.documents import TOP, update_document
from checker.report.figures import PERIOD, Timescales, figures, out_of_proportion, period_rows
from checker.report.markdown_format import render_markdown_document
from checker.report.model import Chart, Paragraph, Table
from conftest import EPOCH, EXAMPLE, bench_module, chc, example_rows

WHEN = dt.datetime(2025, 5, 1, tzinfo=dt.timezone.utc)
OTHER = re.compile(r"^Other \((\d[\d,]*) more\)$")


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


@pytest.fixture(scope="module")
def example_data() -> dict[str, Any]:
    policy, register = load_policy(EXAMPLE / "policy.yaml"), load_register(EXAMPLE / "register.csv")
    from checker.load.catalogue import load_catalogue
    from checker.load.resources import default_code

    return report_data(policy, register, load_catalogue(default_code()), parse_period("2024-25"),
                       load_activity(EXAMPLE / "policy.yaml", {}), WHEN)


def areas(counts: list[int]) -> list[dict[str, Any]]:
    """A breakdown as the figures give it: largest first, then by name."""
    rows = [{"name": f"Area {chr(65 + i)}", "count": n} for i, n in enumerate(counts)]
    total = sum(counts)
    return [{**r, "pct": round(100 * r["count"] / total, 1)} for r in sorted(rows, key=lambda r: (-r["count"], r["name"]))]


def stage1_area_table(data: dict[str, Any], breakdown: list[dict[str, Any]]) -> tuple[Table, Chart]:
    data = copy.deepcopy(data)
    data["stage1"]["by_service_area"] = breakdown
    blocks = update_document(data).blocks
    at = next(i for i, b in enumerate(blocks) if isinstance(b, Table) and b.columns[0] == "Service area" and b.rows[0][0].startswith("Area"))
    chart = blocks[at + 1]
    assert isinstance(chart, Chart)
    return blocks[at], chart


def test_a_long_breakdown_shows_the_largest_then_one_other_line_that_adds_up(example_data):
    counts = [9, 3, 7, 7, 1, 2, 5, 7, 4, 6, 2, 8, 1, 3, 2, 1, 1, 5, 2, 2]  # 20 areas, ties among them
    table, chart = stage1_area_table(example_data, areas(counts))
    *body, other, total = table.rows
    assert len(body) == TOP
    names = [row[0] for row in body]
    # the ten largest, ties by name (B and N have 3 each)
    assert names == ["Area A", "Area L", "Area C", "Area D", "Area H", "Area J", "Area G", "Area R", "Area I", "Area B"]
    assert OTHER.match(other[0]) and other[0] == "Other (10 more)"
    assert int(other[1]) == sum(sorted(counts)[:10]) and sum(int(r[1]) for r in body) + int(other[1]) == int(total[1]) == sum(counts)
    assert other[2] == f"{round(100 * int(other[1]) / sum(counts))}%"
    assert chart.alt.count(";") == TOP and chart.alt.endswith(f"Other (10 more) {other[1]}")


@pytest.mark.parametrize("size, shown, other", [(TOP, TOP, None), (TOP + 1, TOP + 1, None), (TOP + 2, TOP, "Other (2 more)")])
def test_the_other_line_appears_only_when_it_stands_for_more_than_one(example_data, size, shown, other):
    table, _ = stage1_area_table(example_data, areas(list(range(size, 0, -1))))
    body = [row for row in table.rows[:-1] if not OTHER.match(row[0])]
    assert len(body) == shown
    assert [row[0] for row in table.rows if OTHER.match(row[0])] == ([other] if other else [])


def themes(count: int, escalating: int) -> list[dict[str, Any]]:
    """`count` themes, the first `escalating` of them more likely to escalate, in the figures' order."""
    rows = [{"theme": f"theme_{i:03d}_repair_delay", "stage1_count": 1 + i % 7, "stage1_pct": 1.0, "stage2_count": 2 + i % 3, "stage2_pct": 1.0,
             "stage2_to_stage1_ratio": 1.0, "escalates_out_of_proportion": i < escalating} for i in range(count)]
    return sorted(rows, key=lambda r: (not r["escalates_out_of_proportion"], r["theme"]))


def test_a_long_tail_of_themes_is_cut_in_the_document_and_complete_in_the_json(example_data):
    data = copy.deepcopy(example_data)
    data["themes"] = themes(5_000, 40)
    blocks = update_document(data).blocks
    table = next(b for b in blocks if isinstance(b, Table) and b.columns[0] == "Theme")
    *body, other = table.rows
    assert len(body) == TOP and other[0] == "Other (4,990 more)" and other[2] == other[4] == other[5] == ""
    # the ten given to most complaints (stage 1 and 2 together), ties by name; the rest's counts add up
    largest = sorted(data["themes"], key=lambda t: (-(t["stage1_count"] + t["stage2_count"]), t["theme"]))
    assert {row[0] for row in body} == {t["theme"].replace("_", " ").capitalize() for t in largest[:TOP]}
    assert int(other[1]) + sum(int(row[1]) for row in body) == sum(t["stage1_count"] for t in data["themes"])
    assert int(other[3]) + sum(int(row[3]) for row in body) == sum(t["stage2_count"] for t in data["themes"])
    assert table.caption.startswith(f"The {TOP} themes given to most complaints")
    leads = [b.text for b in blocks if isinstance(b, Paragraph) and "escalate" in b.text and b.style == "lead"]
    assert len(leads) == TOP + 1 and leads[-1] == "Another 30 themes are also more likely to escalate."
    markdown = render_markdown_document(update_document(data))
    assert "theme_" not in markdown and "Other (4,990 more)" in markdown


def test_few_themes_are_shown_whole_without_an_other_line(example_data):
    assert len(example_data["themes"]) <= TOP + 1
    table = next(b for b in update_document(example_data).blocks if isinstance(b, Table) and b.columns[0] == "Theme")
    assert len(table.rows) == len(example_data["themes"]) and not table.caption
    assert not any(OTHER.match(row[0]) for row in table.rows)


def test_the_command_line_cuts_documents_and_keeps_the_json_whole(tmp_path):
    stage1 = (pl.col("contact_type") == "complaint") & (pl.col("stage") == "1") & pl.col("received_date").is_between(pl.lit("2024-04-01"), pl.lit("2025-03-31"))
    rows = example_rows().with_columns(pl.when(stage1).then(pl.format("Estate {}", stage1.cast(pl.Int64).cum_sum() % 30))
                                       .otherwise(pl.col("service_area")).alias("service_area"))
    register = tmp_path / "register.csv"
    rows.write_csv(register)
    args = ["report", "--policy", str(EXAMPLE / "policy.yaml"), "--register", str(register), "--period", "2024-25"]
    out = chc(*args, "--format", "json", "--output", str(tmp_path / "r.json"), "--format", "md", "--output", str(tmp_path / "r.md"), env=EPOCH)
    assert out.exit_code == 0, out.output
    data = json.loads((tmp_path / "r.json").read_text())
    assert len(data["stage1"]["by_service_area"]) == 30 and sum(r["count"] for r in data["stage1"]["by_service_area"]) == data["stage1"]["received"]
    markdown = (tmp_path / "r.md").read_text()
    assert "| Other (20 more) |" in markdown.replace("  ", " ")
    assert len(re.findall(r"^\| Estate \d+ ", markdown, re.M)) == TOP


def test_a_rare_theme_escalates_out_of_proportion_by_its_counts_not_its_rounded_shares():
    totals = {1: 21_948, 2: 3_295}  # the 50,000-theme benchmark register's 2024-25
    assert not out_of_proportion({1: 10, 2: 2}, totals)  # 0.046% of stage 1 (shown 0.0) against 0.061%: 1.3 times
    assert out_of_proportion({1: 2, 2: 2}, totals)  # 0.009% against 0.061%: 6.7 times
    assert out_of_proportion({1: 0, 2: 2}, totals) and not out_of_proportion({1: 0, 2: 1}, totals)  # at least 2 at stage 2
    assert out_of_proportion({1: 200, 2: 45}, {1: 1_000, 2: 150})  # 30% of stage 2 against 20% of stage 1: 1.5 times
    assert not out_of_proportion({1: 200, 2: 44}, {1: 1_000, 2: 150})  # 29.3%: under 1.5 times


def test_a_sentence_never_says_0_percent_of_complaints_that_there_are(example_data):
    data = copy.deepcopy(example_data)
    data["stage1"]["received"], data["stage2"]["received"] = 21_948, 3_295
    data["themes"] = [{"theme": "bath_cracked", "stage1_count": 2, "stage1_pct": 0.0, "stage2_count": 2, "stage2_pct": 0.1,
                       "stage2_to_stage1_ratio": None, "escalates_out_of_proportion": True}]
    lead = next(b.text for b in update_document(data).blocks if isinstance(b, Paragraph) and b.text.startswith("Bath cracked"))
    assert lead.startswith("Bath cracked: under 1% of stage 2 complaints (2 of 3295) against under 1% of stage 1 complaints (2 of 21948)")
