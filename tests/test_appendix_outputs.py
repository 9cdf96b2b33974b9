"""Appendix 1 in every publishing format (Markdown, HTML, Word, Excel, CSV), read back as a reader's tools read it."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn

from checker.render.appendix import COLUMNS, GAP_COLUMNS
from checker.render.csv_format import render_csv
from checker.render.formats import Context, render
from checker.render.xlsx_format import render_xlsx
from cli import main
from conftest import EPOCH, EXAMPLE, EXAMPLE_ARGS, example_policy, parse_html

FORMATS = ("md", "html", "docx", "xlsx", "csv")
ARGS = ["assess", *EXAMPLE_ARGS, "--waivers", str(EXAMPLE / "waivers.yaml")]
CSV_COLUMNS = [
    "landlord", "period", "code_version", "rules_version", "generated_at", "provision", "section_heading", "title",
    "requirement", "modal", "wording_uncertain", "status", "comply", "basis", "evidence_kinds", "evidence", "commentary",
    "reasoning", "case_ids", "remediation", "plan_action", "plan_owner", "plan_target_date", "waiver_justification", "waiver_approved_by",
    "waiver_expires", "rules",
]
LINK = "https://www.harrowden.example.gov.uk/guide?a=1&b=2"
HOSTILE = '=HYPERLINK("https://evil.example/x","<script>alert(1)</script> | click")'


def _assess_all(folder: Path) -> dict[str, Path]:
    """One `chc assess` run writing every Appendix format plus the JSON, as a council's scheduled job would."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {fmt: folder / f"appendix1.{fmt}" for fmt in (*FORMATS, "json")}
    pairs = [arg for fmt, path in paths.items() for arg in ("--format", fmt, "--output", str(path))]
    out = CliRunner().invoke(main, [*ARGS, *pairs], env=EPOCH)
    assert out.exit_code == 0, out.output
    return paths


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> dict[str, Path]:
    return _assess_all(tmp_path_factory.mktemp("appendix"))


@pytest.fixture(scope="module")
def truth(written) -> dict[str, Any]:
    """The JSON output: what every other format must agree with."""
    data = json.loads(written["json"].read_text())
    by_id = {p["id"]: p for p in data["provisions"]}
    return {
        "data": data,
        "by_id": by_id,
        "ids": list(by_id),
        "headings": list(dict.fromkeys(p["heading"] for p in data["provisions"])),
        # the form answers No for every provision not fully met: partly met, waived and not evidenced too
        "gaps": [p["id"] for p in data["provisions"] if p["status"] not in ("met", "not_applicable")],
        "justification": by_id["6.5"]["waiver"]["justification"],
    }


def test_the_example_has_72_provisions_in_ten_tables(truth):
    # sections 1 to 9, with section 6 split into its stage 1 and stage 2 tables
    assert len(truth["ids"]) == 72
    assert len(truth["headings"]) == 10
    assert [h for h in truth["headings"] if h.startswith("Section 6")] == [
        "Section 6 – Complaint stages: Stage 1", "Section 6 – Complaint stages: Stage 2"]
    assert truth["by_id"]["6.5"]["status"] == "waived"
    assert len(truth["gaps"]) == 15


def test_docx_is_the_form_with_every_provision_and_the_gaps(written, truth):
    doc = Document(str(written["docx"]))
    section = doc.sections[0]
    assert section.orientation == WD_ORIENT.LANDSCAPE and section.page_width > section.page_height
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert [h for h in headings if h.startswith("Section ")] == truth["headings"]
    assert "Requirements not met" in headings
    title = "Appendix 1: Complaint Handling Code self-assessment form 2024-25"
    assert [p.text for p in doc.paragraphs if p.style.name == "Title"] == [title]
    forms = [t for t in doc.tables if [c.text for c in t.rows[0].cells] == list(COLUMNS)]
    assert len(forms) == len(truth["headings"])
    assert [row.cells[0].text for t in forms for row in t.rows[1:]] == truth["ids"]
    for table in forms:
        assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None, "header row must repeat on each page"
    rows = {row.cells[0].text: row for t in forms for row in t.rows[1:]}
    waived = rows["6.5"]
    assert waived.cells[2].text == "No"
    assert waived.cells[4].paragraphs[0].text.startswith("Waived until 31 March 2027: ")
    assert truth["justification"] in waived.cells[4].text
    assert len(rows["2.3"].cells[3].paragraphs) > 1, "evidence paragraphs stay separate paragraphs"
    gaps = [t for t in doc.tables if [c.text for c in t.rows[0].cells] == list(GAP_COLUMNS)]
    assert len(gaps) == 1
    assert [row.cells[0].text for row in gaps[0].rows[1:]] == truth["gaps"]
    header = " ".join(p.text for p in section.header.paragraphs)
    footer = " ".join(p.text for p in section.footer.paragraphs)
    assert truth["data"]["landlord"] in header
    assert truth["data"]["rules_version"] in footer and "2024-25" in footer
    meta = {row.cells[0].text: row.cells[1].text for row in doc.tables[0].rows}
    assert meta["Landlord"] == "Harrowden District Council"
    assert meta["Rules version"] == truth["data"]["rules_version"]
    assert doc.core_properties.author == "chc"
    assert doc.core_properties.created == dt.datetime(2025, 5, 1, tzinfo=dt.timezone.utc)


def test_xlsx_has_a_sheet_per_section_with_frozen_filtered_headers(written, truth):
    wb = openpyxl.load_workbook(written["xlsx"])
    assert wb.sheetnames[0] == "Summary" and wb.sheetnames[-1] == "Not met"
    sections = [wb[name] for name in wb.sheetnames[1:-1]]
    assert len(sections) == len(truth["headings"])
    assert "S6 Stage 1" in wb.sheetnames and "S6 Stage 2" in wb.sheetnames
    for name in wb.sheetnames:
        assert len(name) <= 31 and not re.search(r"[\[\]:*?/\\]", name), name
    assert len({n.lower() for n in wb.sheetnames}) == len(wb.sheetnames)
    ids = []
    for ws in sections:
        assert [c.value for c in ws[1]] == list(COLUMNS)
        assert all(c.font.b for c in ws[1])
        assert ws.freeze_panes == "A2"
        assert ws.auto_filter.ref == f"A1:E{ws.max_row}"
        ids += [ws.cell(row=r, column=1).value for r in range(2, ws.max_row + 1)]
    assert ids == truth["ids"]
    stage1 = {row[0].value: row for row in wb["S6 Stage 1"].iter_rows(min_row=2)}
    assert stage1["6.5"][2].value == "No"
    assert truth["justification"] in stage1["6.5"][4].value
    gaps = wb["Not met"]
    assert [c.value for c in gaps[1]] == list(GAP_COLUMNS) and gaps.freeze_panes == "A2"
    assert [gaps.cell(row=r, column=1).value for r in range(2, gaps.max_row + 1)] == truth["gaps"]
    summary = [c.value for row in wb["Summary"].iter_rows() for c in row if c.value is not None]
    for expected in ("Harrowden District Council", truth["data"]["rules_version"], "2025-05-01 00:00 UTC by chc 0.2.0"):
        assert any(expected in str(v) for v in summary), expected
    assert wb.properties.creator == "chc" and wb.properties.created == dt.datetime(2025, 5, 1)


def test_html_is_one_standalone_file_with_every_provision(written, truth):
    html = written["html"].read_text(encoding="utf-8")
    page = parse_html(html)
    names = [t for t, _ in page.tags]
    assert html.startswith("<!DOCTYPE html>")
    assert ("html", {"lang": "en-GB"}) in page.tags and ("meta", {"charset": "utf-8"}) in page.tags
    assert names.count("title") == 1
    for forbidden in ("script", "link", "img", "iframe", "object", "embed", "base"):
        assert forbidden not in names
    assert not any("src" in attrs for _, attrs in page.tags)
    assert all(tag == "a" for tag, attrs in page.tags if "href" in attrs)
    assert not any("url(" in s or "@import" in s for s in page.styles)
    assert re.findall(r"<tr><td>(\d\.\d+)</td>", html) == truth["ids"] + truth["gaps"], "a row per provision, then per gap"
    comply = dict(zip(truth["ids"], (text for cls, text in page.cells if cls.startswith("answer")), strict=True))
    assert comply["6.5"] == "No" and comply["2.3"] == "No" and comply["6.2"] == "No" and comply["1.2"] == "Yes"
    assert set(comply.values()) == {"Yes", "No"}
    assert ("answer no", "No") in page.cells and ("answer yes", "Yes") in page.cells
    text = " ".join(page.text)
    assert [h for h in truth["headings"] if h in text] == truth["headings"]
    for expected in ("Harrowden District Council", "2024-25 (1 April 2024 to 31 March 2025)", "Complaint Handling Code 2024",
                     truth["data"]["rules_version"], "2025-05-01 00:00 UTC", truth["justification"]):
        assert expected in text, expected
    assert "size: A4 landscape" in html and "display: table-header-group" in html


def test_markdown_has_the_section_tables_and_every_row(written, truth):
    md = written["md"].read_text(encoding="utf-8")
    assert md.startswith("# Appendix 1:")
    assert [line[3:] for line in md.splitlines() if line.startswith("## Section ")] == truth["headings"]
    form, _, rest = md.partition("## Requirements not met")
    assert "| " + " | ".join(COLUMNS) + " |" in form and "| " + " | ".join(GAP_COLUMNS) + " |" in rest
    rows = [line for line in form.splitlines() if re.match(r"\| \d\.\d+ \|", line)]
    assert [line.split(" | ")[0][2:] for line in rows] == truth["ids"]
    assert all(len(re.findall(r"(?<!\\)\|", line)) == 6 for line in rows)
    waived = next(line for line in rows if line.startswith("| 6.5 |"))
    assert "| No | " in waived and "| Waived until 31 March 2027: " in waived and truth["justification"] in waived
    gap_rows = [line for line in rest.splitlines() if re.match(r"\| \d\.\d+ \|", line)]
    assert [line.split(" | ")[0][2:] for line in gap_rows] == truth["gaps"]
    for label in ("Landlord", "Period", "Code", "Rules version", "Generated"):
        assert f"- **{label}:** " in md
    assert "> This self-assessment form" in md


def test_csv_has_a_row_per_provision_with_every_case(written, truth):
    raw = written["csv"].read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf") and raw.count(b"\r\n") >= 73
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8"), newline="")))
    assert list(rows[0]) == CSV_COLUMNS
    assert [r["provision"] for r in rows] == truth["ids"]
    for row in rows:
        p = truth["by_id"][row["provision"]]
        assert row["case_ids"] == ";".join(p["case_ids"])
        assert row["status"] == p["status"]
        assert row["rules"] == ";".join(f"{r['id']}={r['result']}" for r in p["rules"])
    by_id = {r["provision"]: r for r in rows}
    assert by_id["6.3"]["case_ids"].split(";") == truth["by_id"]["6.3"]["case_ids"] and len(truth["by_id"]["6.3"]["case_ids"]) == 7
    assert "CHC-6.2-S1-ACKNOWLEDGED=partial" in by_id["6.2"]["rules"].split(";")
    assert by_id["6.3"]["plan_owner"] == "Head of Housing Services" and by_id["6.3"]["plan_target_date"] == "2025-09-30"
    waived = by_id["6.5"]
    assert (waived["status"], waived["comply"]) == ("waived", "No")
    assert waived["waiver_justification"] == truth["justification"] and waived["waiver_expires"] == "2027-03-31"
    assert {r["landlord"] for r in rows} == {"Harrowden District Council"}
    assert {r["generated_at"] for r in rows} == {"2025-05-01T00:00:00+00:00"}


def test_formula_looking_and_markup_text_stays_text(run):
    policy = example_policy()
    attestation = next(a for a in policy["attestations"] if a["provision"] == "1.3")
    attestation["statement"] = HOSTILE
    attestation["evidence"] = [{"document": f"<b>Staff guide</b> & {LINK} <i>page 2</i>"}]
    assessment = run(policy_data=policy)
    context = Context(dt.datetime(2025, 5, 1, tzinfo=dt.timezone.utc))

    wb = openpyxl.load_workbook(io.BytesIO(render_xlsx(assessment, context)))
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    hostile = [c for c in cells if isinstance(c.value, str) and c.value.startswith("=HYPERLINK")]
    assert hostile and all(c.data_type == "s" and c.quotePrefix for c in hostile)
    assert hostile[0].value.split("\n")[0] == HOSTILE

    row = next(r for r in csv.DictReader(io.StringIO(render_csv(assessment, context))) if r["provision"] == "1.3")
    assert row["commentary"].startswith("'=HYPERLINK(")

    page = parse_html(render("html", assessment, context).decode())
    assert "script" not in [t for t, _ in page.tags]
    assert not any(attrs.get("href", "").startswith("https://evil") for _, attrs in page.tags)
    assert HOSTILE in " ".join(page.text)
    assert not {"b", "i"} & {t for t, _ in page.tags} and "<b>Staff guide</b> & " in " ".join(page.text)
    assert ("a", {"href": LINK}) in page.tags

    md = render("md", assessment, context).decode()
    line = next(line for line in md.splitlines() if line.startswith("| 1.3 |"))
    assert len(re.findall(r"(?<!\\)\|", line)) == 6 and "<script>" not in line


def test_every_format_is_byte_identical_for_the_same_source_date_epoch(written, tmp_path):
    again = _assess_all(tmp_path / "again")
    for fmt in FORMATS:
        assert again[fmt].read_bytes() == written[fmt].read_bytes(), fmt
    for fmt in ("docx", "xlsx"):  # two quick runs share a clock second, so check the dates too
        with zipfile.ZipFile(written[fmt]) as archive:
            assert {i.date_time for i in archive.infolist()} == {(2025, 5, 1, 0, 0, 0)}, fmt
    assert openpyxl.load_workbook(written["xlsx"]).properties.modified == dt.datetime(2025, 5, 1)
    assert Document(str(written["docx"])).core_properties.modified == dt.datetime(2025, 5, 1, tzinfo=dt.timezone.utc)


def test_an_unwritable_output_fails_clearly_and_writes_nothing(tmp_path):
    """The good file is named first: it must not be left behind when the second cannot be written."""
    bad = tmp_path / "no-such-folder" / "appendix1.docx"
    out = CliRunner().invoke(main, [*ARGS, "--format", "md", "--output", str(tmp_path / "appendix1.md"),
                                    "--format", "docx", "--output", str(bad)], env=EPOCH)
    assert out.exit_code == 2
    assert f"cannot write {bad}" in out.output and "Traceback" not in out.output
    assert list(tmp_path.rglob("*")) == []
