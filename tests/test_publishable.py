"""Every published document, in every format, read as a board member or the Ombudsman would: no `None`, `nan`,
identifier, file name or broken sentence, from fixtures made to reach every branch of the documents (an empty
period, one complaint, no previous year, no tenure, no Ombudsman activity) as well as the full example."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import polars as pl
import pytest
from docx import Document as open_docx
from openpyxl import load_workbook

from conftest import EXAMPLE, STAMP, chc, example_rows, parse_html

APPENDIX_FORMATS = ("md", "html", "docx", "xlsx")
REPORT_FORMATS = ("md", "html", "docx")
# what a council could not publish: Python's missing values, identifiers, file names, chc's own placeholders
UNPUBLISHABLE = {
    "None": re.compile(r"\bNone\b"),
    "nan": re.compile(r"\b(?:nan|NaN)\b"),
    "an identifier": re.compile(r"\b[a-z][a-z0-9]*_[a-z0-9_]+\b"),
    "a file name": re.compile(r"\b[\w-]+\.(?:ya?ml|csv|xlsx|json)\b"),
    "an unfilled placeholder": re.compile(r"\{[a-z_.]+\}"),
    "a missing value": re.compile(r"\bnot stated\b|\bthe not\b"),
    # "stage 1 complaints" is a name, not a count, and "1 of 1 complaints" a share
    "a wrong plural": re.compile(r"(?<![Ss]tage )(?<!of )\b1 (?:complaints|contacts|cases|rows|provisions)\b"
                                 r"|(?<![Ss]tage )\b(?:[02-9]|\d\d+) complaint was\b"),
}
# in brackets, or "against", a figure for a year the register does not reach
ZERO_FOR_NO_DATA = re.compile(r"\(0\)|against 0 in")


def _one_complaint() -> pl.DataFrame:
    """One stage 1 complaint, received, acknowledged and answered in 2024-25, and nothing else: no previous year."""
    rows = example_rows()
    mine = rows.filter((pl.col("contact_type") == "complaint") & (pl.col("stage") == "1") & pl.col("response_date").is_not_null()
                       & (pl.col("outcome") == "upheld") & pl.col("received_date").str.starts_with("2024-05"))
    return mine.head(1).with_columns(pl.lit(None, pl.Utf8).alias("escalated_from"))


def _one_refusal() -> pl.DataFrame:
    """One complaint, refused, with nothing recorded of whether it was explained or the Ombudsman's details given."""
    rows = example_rows()
    refused = rows.filter((pl.col("outcome") == "not_accepted") & pl.col("received_date").is_between(pl.lit("2024-04-01"), pl.lit("2025-03-31")))
    return refused.head(1).with_columns(pl.lit(None, pl.Utf8).alias(c) for c in ("refusal_explained", "ombudsman_details_given"))


FIXTURES = {
    # the whole example with its Ombudsman activity, learning, benchmarks and waivers
    "example": lambda: example_rows(),
    # a period in which nothing was received: every table empty, every share of nothing
    "empty period": lambda: example_rows().filter(pl.col("received_date") < "2024-04-01"),
    "one complaint": _one_complaint,
    "one refusal": _one_refusal,
    # the register records no tenure at all
    "no tenure": lambda: example_rows().drop("tenure"),
}


@pytest.fixture(scope="module", params=list(FIXTURES))
def documents(request, tmp_path_factory) -> tuple[str, dict[str, Path]]:
    """Every published document of one fixture: Appendix 1 four ways, the update and the annual report three ways each."""
    name = request.param
    folder = tmp_path_factory.mktemp(name.replace(" ", "-"))
    shutil.copy(EXAMPLE / "policy.yaml", folder / "policy.yaml")
    extra: list[str] = []
    if name == "example":  # the example's activity files sit beside its policy; the others have none
        for activity in ("ombudsman.yaml", "learning.yaml", "benchmarks.yaml"):
            shutil.copy(EXAMPLE / activity, folder / activity)
        extra = ["--waivers", str(EXAMPLE / "waivers.yaml")]
    FIXTURES[name]().write_csv(folder / "register.csv")
    base = ["--policy", folder / "policy.yaml", "--register", folder / "register.csv", "--period", "2024-25", *STAMP]
    files: dict[str, Path] = {}
    outputs = []
    for fmt in APPENDIX_FORMATS:
        files[f"appendix.{fmt}"] = folder / f"appendix.{fmt}"
        outputs += ["--output", files[f"appendix.{fmt}"]]
    done = chc("assess", *base, *extra, *outputs)
    assert done.exit_code == 0, done.output
    for command in ("report", "annual-report"):
        outputs = []
        for fmt in REPORT_FORMATS:
            files[f"{command}.{fmt}"] = folder / f"{command}.{fmt}"
            outputs += ["--output", files[f"{command}.{fmt}"]]
        by = ["--by", "quarter", "--by", "organisation"] if command == "report" else []
        done = chc(command, *base, *(extra if command == "annual-report" else []), *by, "--compare", "previous-year", *outputs)
        assert done.exit_code == 0, done.output
        files[f"{command}.stderr"] = folder / f"{command}.stderr"
        files[f"{command}.stderr"].write_text(done.stderr)
    return name, files


def text_of(path: Path) -> str:
    """What a reader sees: the text of every paragraph, cell, header and footer; for HTML, the text outside <style>."""
    if path.suffix == ".docx":
        doc = open_docx(str(path))
        parts = [p.text for p in doc.paragraphs]
        parts += [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
        for section in doc.sections:
            parts += [p.text for p in (*section.header.paragraphs, *section.footer.paragraphs)]
        core = doc.core_properties
        return "\n".join([*parts, core.title or "", core.subject or "", core.comments or ""])
    if path.suffix == ".xlsx":
        book = load_workbook(path)
        parts = [sheet.title for sheet in book.worksheets]
        for sheet in book.worksheets:
            parts += [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
            parts += [h.text or "" for h in (sheet.oddHeader.left, sheet.oddFooter.left, sheet.oddFooter.right)]
        return "\n".join(parts)
    if path.suffix == ".html":
        page = parse_html(path.read_text())
        styles = set(page.styles)
        return "\n".join(t for t in page.text if t not in styles)
    return path.read_text()


def test_no_published_format_carries_unpublishable_text(documents):
    name, files = documents
    found = []
    for key, path in files.items():
        if key.endswith(".stderr"):
            continue
        text = text_of(path)
        assert len(text) > 500, f"{name}: {key} is nearly empty"
        for what, pattern in UNPUBLISHABLE.items():
            for match in pattern.finditer(text):
                line = text[max(0, match.start() - 60):match.end() + 40].replace("\n", " ")
                found.append(f"{key}: {what} '{match.group()}' in …{line}…")
    assert not found, f"{name}:\n" + "\n".join(found[:40])


@pytest.mark.parametrize("documents", ["one complaint", "one refusal"], indirect=True)  # registers that start in 2024-25
def test_a_year_with_no_data_says_so_and_warns(documents):
    _, files = documents
    for command in ("report", "annual-report"):
        assert "no data for 2023-24" in files[f"{command}.stderr"].read_text()
        for fmt in REPORT_FORMATS:
            text = text_of(files[f"{command}.{fmt}"])
            assert "no data for 2023-24" in text.lower(), f"{command}.{fmt}"
            assert not ZERO_FOR_NO_DATA.search(text), f"{command}.{fmt}: {ZERO_FOR_NO_DATA.search(text)}"
