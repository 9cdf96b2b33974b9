"""`chc report` and `chc annual-report` on the example council: the JSON contract, groups, comparison, activity files."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import polars as pl
import pytest
from click.testing import CliRunner

from checker.load.schemas import schema
from cli import main
from conftest import EPOCH, EXAMPLE, example_rows

ARGS = ["--policy", str(EXAMPLE / "policy.yaml"), "--register", str(EXAMPLE / "register.csv")]
ISSUE_KEYS = [
    "tsm.CH01.stage1_per_1000_homes", "tsm.CH01.stage2_per_1000_homes", "tsm.CH02.stage1_within_timescale_pct",
    "tsm.CH02.stage2_within_timescale_pct", "tsm.CH02.stage1_including_extensions_pct", "tsm.CH02.stage2_including_extensions_pct",
    "tsm.CH01.lcra", "tsm.CH01.lcho", "tsm.CH02.lcra", "tsm.CH02.lcho", "tsm.outside_split",
    "contacts.by_type", "stage1.by_service_area", "stage1.by_outcome", "stage2.by_service_area", "stage2.by_outcome",
    "escalation_rate_pct", "refused.by_reason", "compensation.total", "themes",
]


def report(*args: str, command: str = "report") -> dict:
    out = CliRunner().invoke(main, [command, *ARGS, "--format", "json", *args], env=EPOCH)
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    jsonschema.Draft202012Validator(schema("report")).validate(data)
    return data


def dig(data: dict, dotted: str):
    for key in dotted.split("."):
        data = data[key]
    return data


@pytest.fixture(scope="module")
def year() -> dict:
    return report("--period", "2024-25", "--by", "quarter", "--by", "organisation", "--compare", "previous-year")


def test_the_json_holds_every_key_the_issue_names(year):
    for key in ISSUE_KEYS:
        assert dig(year, key) is not None, key
    for group in year["groups"]:
        for key in ISSUE_KEYS:
            dig(group["figures"], key)
        assert group["previous"]["period"]["label"].startswith("2023-24-Q")


def test_figures_match_the_register_counted_independently(year):
    rows = example_rows().filter(pl.col("received_date").is_between(pl.lit("2024-04-01"), pl.lit("2025-03-31")))
    stage1 = rows.filter((pl.col("contact_type") == "complaint") & (pl.col("stage") == "1"))
    assert year["stage1"]["received"] == stage1.height == 69
    assert year["contacts"]["total"] == rows.height == 231
    assert year["stage1"]["by_outcome"]["upheld"]["count"] == stage1.filter(pl.col("outcome") == "upheld").height
    assert year["tsm"]["CH01"]["stage1_per_1000_homes"] == round(1000 * 69 / 4210, 2)
    assert year["previous"]["stage1"]["received"] == 57  # fixtures/example/expected.yaml, 2023-24
    repairs = next(r for r in year["stage1"]["by_service_area"] if r["name"] == "Repairs")
    assert repairs["count"] == stage1.filter(pl.col("service_area") == "Repairs").height


def test_groups_add_up_to_the_whole(year):
    assert len(year["groups"]) == 8  # four quarters × two organisations
    assert sum(g["figures"]["stage1"]["received"] for g in year["groups"]) == year["stage1"]["received"]
    assert sum(g["previous"]["stage1"]["received"] for g in year["groups"]) == year["previous"]["stage1"]["received"]
    assert sum(g["figures"]["compensation"]["total"] for g in year["groups"]) == pytest.approx(year["compensation"]["total"])
    assert all(g["figures"]["tsm"]["CH01"]["stage1_per_1000_homes"] is None for g in year["groups"])  # no homes per organisation


def test_activity_files_beside_the_policy_are_read(year):
    assert year["ombudsman"]["determinations"] == 2
    assert year["ombudsman"]["findings"]["service_failure"] == 2 and year["ombudsman"]["findings"]["maladministration"] == 1
    assert year["ombudsman"]["orders"] == {"total": 5, "complied": 4, "in_progress": 1, "overdue": 0, "not_complied": 0}
    assert year["ombudsman"]["events"]["investigation_started"] == 2
    assert [e["case_id"] for e in year["learning"]] == ["HDC-24-0014", "HDC-24-0036", "HDC-24-0042", "HRL-24-0023"]
    assert year["benchmarks"]["medians"]["CH01_1"] == 19.4


def test_a_quarter_counts_only_its_own_activity():
    q2 = report("--period", "2024-25-Q2")
    assert q2["ombudsman"]["determinations"] == 1 and q2["ombudsman"]["events"]["investigation_started"] == 1
    assert [e["case_id"] for e in q2["learning"]] == ["HDC-24-0036", "HDC-24-0042", "HRL-24-0023"]


def test_no_personal_data_and_no_free_text_from_the_register(year):
    text = json.dumps(year)
    handlers = set(example_rows()["handler"].drop_nulls().to_list())
    assert not any(f'"{h}"' in text for h in handlers)


def test_a_bad_activity_file_names_file_line_and_field(tmp_path):
    bad = tmp_path / "ombudsman.yaml"
    bad.write_text("determinations:\n  - reference: '1'\n    received: 2024-07-18\n    findings: [{type: mal_administration}]\n")
    out = CliRunner().invoke(main, ["report", *ARGS, "--period", "2024-25", "--ombudsman", str(bad)])
    assert out.exit_code == 2
    assert f"{bad}:4:determinations.0.findings.0.type:" in out.stderr


def test_a_named_activity_file_must_exist(tmp_path):
    out = CliRunner().invoke(main, ["report", *ARGS, "--period", "2024-25", "--learning", str(tmp_path / "none.yaml")])
    assert out.exit_code == 2 and "none.yaml: no such file" in out.stderr


def test_annual_report_json_carries_the_self_assessment():
    data = report("--period", "2024-25", command="annual-report")
    assert len(data["self_assessment"]["provisions"]) == 72
    assert data["self_assessment"]["summary"]["not_met"] == 12  # 6.2 too: its tolerance is approved in the waivers file


def test_the_annual_report_derives_its_period_once(monkeypatch):
    """The self-assessment has derived the register for the period already: the figures use that, and are the same."""
    import checker.report.data

    alone = report("--period", "2024-25")
    derived = []
    monkeypatch.setattr(checker.report.data, "derive", lambda *args: derived.append(args[1]) or pl.DataFrame())
    annual = report("--period", "2024-25", command="annual-report")
    assert derived == []
    assert {k: v for k, v in annual.items() if k != "self_assessment"} == alone


def test_report_writes_every_format_in_one_run(tmp_path):
    outputs = [tmp_path / f"r.{ext}" for ext in ("md", "html", "docx", "json")]
    out = CliRunner().invoke(main, ["report", *ARGS, "--period", "2024-25-Q2", "--by", "organisation",
                                    *[a for p in outputs for a in ("--output", str(p))]], env=EPOCH)
    assert out.exit_code == 0, out.output
    assert all(p.stat().st_size > 0 for p in outputs)
    assert "Stage 1 complaints" in Path(tmp_path / "r.md").read_text()
    bad = CliRunner().invoke(main, ["report", *ARGS, "--period", "2024-25", "--output", str(tmp_path / "r.xlsx")])
    assert bad.exit_code == 2 and "md, html, docx, pdf or json" in bad.output


def test_annual_report_docx_has_8_1_a_to_f_in_order_then_appendix_1(tmp_path):
    from docx import Document

    path = tmp_path / "annual.docx"
    out = CliRunner().invoke(main, ["annual-report", *ARGS, "--period", "2024-25", "--output", str(path)], env=EPOCH)
    assert out.exit_code == 0, out.output
    doc = Document(str(path))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    parts = [h[:2] for h in headings if h[:3] in ("a. ", "b. ", "c. ", "d. ", "e. ", "f. ")]
    assert parts == ["a.", "b.", "c.", "d.", "e.", "f."]
    assert headings.index(next(h for h in headings if h.startswith("Appendix 1"))) > headings.index(next(h for h in headings if h.startswith("f. ")))
    cells = {c.text for t in doc.tables for row in t.rows for c in row.cells}
    assert {"9.7", "6.3"} <= cells and "Customer Care and Complaints Manager" in cells  # the plan's owner for 9.7
    assert len(doc.inline_shapes) >= 3  # charts
