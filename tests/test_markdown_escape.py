"""Markdown outputs show the data as written, as the HTML ones do: a `|` splits no table, `![x](...)` shows no image,
`[x](...)` makes no link, and no HTML, entity, heading, quote or list comes from a policy, a register or a waiver."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import polars as pl
import pytest

from checker.render import markdown_layout as md
from checker.render import pdf
from checker.render.pdf import PdfUnavailable
from checker.report.markdown_format import render_markdown_document
from checker.report.model import Bullets, Document, Fields, Heading, Paragraph, Quote, Table
from conftest import EXAMPLE, STAMP, chc, example_policy, example_rows, write_policy

LINK = "[pay here](https://evil.example/pay)"
IMAGE = "![x](https://evil.example/x.png)"
HOSTILE = f"Repairs | Voids {IMAGE} {LINK} <img src=x onerror=alert(1)> &lt;b&gt; *bold* _em_ ~~gone~~ `code`"


def inert(text: str) -> None:
    """Nothing in `text` is markup a reader did not write: every table keeps its columns, and what HOSTILE holds is
    shown, not followed."""
    assert "<" not in text.replace("<br>", ""), "raw HTML"
    assert not re.search(r"(?<!\\)!\[|(?<!\\)\]\(", text), "an image or a link"
    assert not re.search(r"(?<!&amp;)lt;b&gt;", text) and "&lt;b&gt;" not in text, "an entity"
    assert not re.search(r"(?<!\\)\*bold(?<!\\)\*|(?<!\\)~~|(?<!\\)`", text), "emphasis, strikethrough or code"
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if re.fullmatch(r"\|(-{3,}:?\|)+", line):  # a table's rule: its heading and each of its rows have its columns
            rows = [lines[i - 1], *itertools.takewhile(lambda row: row.startswith("|"), lines[i + 1:])]
            for row in rows:
                assert len(re.findall(r"(?<!\\)\|", row)) == line.count("|"), row


def test_text_and_cells_escape_every_markup():
    assert md.cell(HOSTILE) == (r"Repairs \| Voids !\[x\](https://evil.example/x.png) \[pay here\](https://evil.example/pay) "
                                r"&lt;img src=x onerror=alert(1)> &amp;lt;b&amp;gt; \*bold\* \_em\_ \~\~gone\~\~ \`code\`")
    assert md.text("# Not a heading") == r"\# Not a heading" and md.text("> not a quote") == r"\> not a quote"
    assert md.text("1. not a list") == r"1\. not a list" and md.text("- nor this") == r"\- nor this"
    assert md.text("--- nor a rule") == r"\--- nor a rule"
    # what is no markup stays as it was: a provision, a year, a negative number, a word with underscores, an ampersand
    for plain in ("6.2 acknowledged", "2024-25", "-5", "damp_mould", "Housing & Communities", "100%", "#1 priority"):
        assert md.text(plain) == plain
    assert md.cell("one\ntwo | three") == r"one<br>two \| three"


def test_chc_s_own_emphasis_is_kept():
    assert md.table(["Owner"], [[md.strong("missing")], ["*x*"]]) == ["| Owner |", "|---|", "| **missing** |", r"| \*x\* |"]


def test_every_block_of_a_document_is_escaped():
    doc = Document(HOSTILE, subtitle=HOSTILE, meta=((HOSTILE, HOSTILE),), blocks=(
        Heading(HOSTILE, 2), Paragraph(HOSTILE), Paragraph(f"# {HOSTILE}"), Bullets((HOSTILE, f"> {HOSTILE}")),
        Quote((HOSTILE, f"1. {HOSTILE}")), Fields(((HOSTILE, HOSTILE),)),
        Table(columns=("Area", "Cases"), rows=((HOSTILE, "3"), ("Other", "1")), caption=HOSTILE, numeric=(1,))))
    text = render_markdown_document(doc)
    inert(text)
    lines = text.splitlines()
    for shown in (r"\# Repairs", r"- \> Repairs", r"> 1\. Repairs"):  # a paragraph, a list item, a quote: as written
        assert any(line.startswith(shown) for line in lines), shown


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> tuple[Path, Path]:
    """The example with HOSTILE as a service area, a remediation plan's action and owner, and the sign-off's approver."""
    folder = tmp_path_factory.mktemp("hostile")
    data = example_policy()
    data["remediation_plan"][0] |= {"action": HOSTILE, "owner": HOSTILE}
    data["self_assessment"]["approved_by"] = HOSTILE
    rows = example_rows().with_columns(pl.when(pl.col("service_area") == "Repairs").then(pl.lit(HOSTILE))
                                       .otherwise(pl.col("service_area")).alias("service_area"))
    register = folder / "register.csv"
    rows.write_csv(register)
    return write_policy(folder, data=data), register


@pytest.mark.parametrize("command", ["assess", "report", "annual-report"])
def test_appendix_1_and_the_reports_in_markdown_are_inert(hostile, command):
    policy, register = hostile
    out = chc(command, "--policy", policy, "--register", register, "--period", "2024-25", "--format", "md", *STAMP)
    assert out.exit_code in (0, 1), out.output
    assert r"Repairs \| Voids" in out.stdout
    inert(out.stdout)


def test_the_submission_checklist_is_inert(hostile, tmp_path, monkeypatch):
    """Without WeasyPrint (quicker), so that the Documents table holds chc's own **missing** beside the data."""
    def unavailable():
        raise PdfUnavailable(pdf.INSTALL)

    monkeypatch.setattr(pdf, "weasyprint", unavailable)
    policy, register = hostile
    folder = tmp_path / "pack"
    out = chc("submission", "--policy", policy, "--register", register, "--period", "2024-25", "--output-dir", folder, *STAMP)
    assert out.exit_code in (0, 1), out.output
    checklist = (folder / "checklist.md").read_text(encoding="utf-8")
    assert r"Repairs \| Voids" in checklist and "| Approved by |" in checklist and r"| **missing**: PDF output needs" in checklist
    inert(checklist)


def test_a_policy_diff_in_markdown_is_inert(tmp_path):
    """The stage's name is quoted in the evidence of the provision the change breaks, in a table made for a pull request."""
    data = example_policy()
    data["policy"]["stages"][0] |= {"name": HOSTILE, "acknowledge_working_days": 7}
    out = chc("diff", EXAMPLE / "policy.yaml", write_policy(tmp_path, data=data), "--format", "md")
    assert out.exit_code == 1, out.output
    assert r"stage 1 (Repairs \| Voids" in out.stdout
    inert(out.stdout)
