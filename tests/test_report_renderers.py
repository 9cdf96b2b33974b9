"""The report renderers (Markdown, HTML, Word) and charts, read back as a reader's tools read them."""

from __future__ import annotations

import base64
import datetime as dt
import io
import subprocess
import sys
from pathlib import Path

import pytest
from docx import Document as open_docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm
from PIL import Image

from checker.report import charts
from checker.report.docx_format import render_docx_document
from checker.report.html_format import render_html_document
from checker.report.markdown_format import render_markdown_document
from checker.report.model import Bullets, Chart, Document, Fields, Heading, Landscape, Paragraph, Quote, Table
from conftest import parse_html

WHEN = dt.datetime(2025, 5, 1, tzinfo=dt.timezone.utc)
PNG = b"\x89PNG\r\n\x1a\n"
AREAS = ("Repairs / Maintenance", "Tenancy and estate management", "Anti-social behaviour", "Rents and service charges",
         "Customer service | communication")
COUNTS = (14, 8, 6, 5, 3)
STAGE1 = Table(
    columns=("Service area", "Stage 1 complaints", "% of total"),
    rows=(*((area, str(n), f"{n / 36:.0%}") for area, n in zip(AREAS, COUNTS, strict=True)), ("Total", "36", "100%")),
    caption="Table 1: Stage 1 complaints by service area, 2024-25", numeric=(1, 2), total_row=True)
TSM = Table(
    columns=("Measure", "Description", "2024-25", "2023-24"),
    rows=(("CH01 (1)", "Stage 1 complaints received per 1,000 homes", "11.9", "13.6"),
          ("CH01 (2)", "Stage 2 complaints received per 1,000 homes", "2.3", "1.7"),
          ("CH02 (1)", "Stage 1 complaints responded to within the Code's timescales", "81%", "64%"),
          ("CH02 (2)", "Stage 2 complaints responded to within the Code's timescales", "86%", "89%")),
    caption="Table 2: Tenant Satisfaction Measures (complaints)", numeric=(2, 3))
LEARNING = Table(
    columns=("What residents told us", "What we changed"),
    rows=(("Repairs appointments were missed without notice.\nSome residents waited over a month.",
           "Text reminders the day before every appointment since October 2024."),
          ("Responses did not say how to escalate to stage 2.", "Every stage 1 letter now ends with the stage 2 route.")),
    caption="Table 3: Learning from complaints")
HOSTILE = '<script>alert("x")</script> & <img src="https://evil.example/x.png">'


@pytest.fixture(scope="module")
def report() -> Document:
    """A year's complaints report as a council publishes it, with two charts drawn by checker.report.charts."""
    by_area = charts.bar_chart("Stage 1 complaints by service area, 2024-25", list(AREAS), list(COUNTS))
    by_quarter = charts.grouped_bar_chart("Stage 1 complaints by quarter", ["Q1", "Q2", "Q3", "Q4"],
                                          {"2024-25": [12, 9, 8, 7], "2023-24": [10, 11, 9, 11]})
    return Document(
        title="Annual Complaints Performance and Service Improvement Report 2024-25",
        subtitle="Harrowden District Council",
        meta=(("Landlord", "Harrowden District Council"), ("Period", "1 April 2024 to 31 March 2025"),
              ("Code", "Complaint Handling Code 2024"), ("Generated", "2025-05-01 00:00 UTC by chc 0.2.0")),
        blocks=(
            Heading("1. Summary"),
            Paragraph("We received 36 stage 1 complaints in 2024-25, 5 fewer than in 2023-24.", style="lead"),
            Bullets(("81% of stage 1 responses were sent within 10 working days.",
                     "6 complaints were escalated to stage 2.", "The Ombudsman made one determination.")),
            Heading("2. Stage 1 complaints"),
            Heading("2.1 By service area", level=3),
            STAGE1,
            Chart("Stage 1 complaints by service area, 2024-25", lambda: by_area,
                  "Bar chart: Repairs / Maintenance 14, Tenancy and estate management 8, Anti-social behaviour 6, "
                  "Rents and service charges 5, Customer service and communication 3."),
            Heading("2.2 By quarter", level=3),
            Chart("Stage 1 complaints by quarter, 2024-25 against 2023-24", lambda: by_quarter,
                  'Grouped bar chart: Q1 12 (last year 10), Q2 9 (11), Q3 8 (9), Q4 7 (11); "last year" is 2023-24.'),
            Heading("3. Tenant Satisfaction Measures"),
            TSM,
            Heading("4. Learning from complaints"),
            LEARNING,
            Paragraph(f"Source: the complaints register. Percentages may not sum to 100 because of rounding. {HOSTILE}",
                      style="note"),
        ))


@pytest.fixture(scope="module")
def chart_pngs(report) -> list[bytes]:
    return [b.png for b in report.blocks if isinstance(b, Chart)]


def test_markdown_tables_right_align_numbers_and_escape_pipes(report):
    md = render_markdown_document(report)
    lines = md.splitlines()
    assert lines[0] == f"# {report.title}"
    assert "- **Period:** 1 April 2024 to 31 March 2025" in lines
    assert "## 2. Stage 1 complaints" in lines and "### 2.1 By service area" in lines
    at = lines.index("| Service area | Stage 1 complaints | % of total |")
    assert lines[at - 2] == f"*{STAGE1.caption}*"
    assert lines[at + 1] == "|---|---:|---:|"
    assert lines[at + 2] == "| Repairs / Maintenance | 14 | 39% |"
    assert lines[at + 6] == "| Customer service \\| communication | 3 | 8% |"
    assert lines[at + 7] == "| **Total** | **36** | **100%** |"
    assert "|---|---|---:|---:|" in lines  # the TSM table
    assert ("| Repairs appointments were missed without notice.<br>Some residents waited over a month. | "
            "Text reminders the day before every appointment since October 2024. |") in lines
    assert "*Chart: Stage 1 complaints by service area, 2024-25.* Bar chart: Repairs / Maintenance 14," in md
    assert "**We received 36 stage 1 complaints" in md
    assert "<script>" not in md and "![" not in md and "data:image" not in md


def test_html_is_standalone_with_charts_inline(report, chart_pngs):
    html = render_html_document(report)
    page = parse_html(html)
    tags = [t for t, _ in page.tags]
    assert ("html", {"lang": "en-GB"}) in page.tags
    assert "script" not in tags and "link" not in tags and "iframe" not in tags
    assert "<title>Annual Complaints Performance and Service Improvement Report 2024-25 – Harrowden District Council</title>" in html
    for _, attrs in page.tags:
        for name in ("src", "href"):
            assert attrs.get(name) is None or attrs[name].startswith("data:image/png;base64,"), attrs
    assert "url(" not in html and "@import" not in html
    images = [attrs for tag, attrs in page.tags if tag == "img"]
    assert len(images) == 2
    decoded = [base64.b64decode(img["src"].split(",", 1)[1], validate=True) for img in images]
    assert all(data.startswith(PNG) for data in decoded)
    assert decoded == chart_pngs
    assert [img["alt"] for img in images] == [b.alt for b in report.blocks if isinstance(b, Chart)]
    assert "<figcaption>Stage 1 complaints by quarter, 2024-25 against 2023-24</figcaption>" in html
    assert '<tr class="total"><td>Total</td><td class="n">36</td><td class="n">100%</td></tr>' in html
    assert '<th scope="col" class="n">2024-25</th>' in html
    assert "<h3>2.1 By service area</h3>" in html and "<li>6 complaints were escalated to stage 2.</li>" in html
    assert "Customer service | communication" in page.text
    assert "<td><p>Repairs appointments were missed without notice.</p><p>Some residents waited over a month.</p></td>" in html
    assert any(HOSTILE in text for text in page.text), "hostile text is shown as text, not markup"
    assert "@page { size: A4 portrait" in html


def test_docx_has_heading_styles_tables_and_described_pictures(report, chart_pngs):
    data = render_docx_document(report, WHEN)
    assert data == render_docx_document(report, WHEN)
    assert data != render_docx_document(report, WHEN + dt.timedelta(days=1))
    doc = open_docx(io.BytesIO(data))
    styles = [(p.style.name, p.text) for p in doc.paragraphs if p.text]
    assert styles[0] == ("Title", report.title)
    assert ("Heading 1", "2. Stage 1 complaints") in styles and ("Heading 2", "2.1 By service area") in styles
    assert ("List Bullet", "6 complaints were escalated to stage 2.") in styles
    assert ("Caption", STAGE1.caption) in styles
    meta, stage1, tsm, learning = doc.tables
    assert [[c.text for c in row.cells] for row in meta.rows] == [list(pair) for pair in report.meta]
    for table, model in ((stage1, STAGE1), (tsm, TSM), (learning, LEARNING)):
        assert [[c.text for c in row.cells] for row in table.rows] == [list(model.columns), *map(list, model.rows)]
        assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
        assert all(run.bold for cell in table.rows[0].cells for run in cell.paragraphs[0].runs)
    assert [c.paragraphs[0].alignment for c in stage1.rows[1].cells] == [None, WD_ALIGN_PARAGRAPH.RIGHT, WD_ALIGN_PARAGRAPH.RIGHT]
    assert all(run.bold for cell in stage1.rows[-1].cells for run in cell.paragraphs[0].runs)
    assert not any(run.bold for cell in stage1.rows[-2].cells for run in cell.paragraphs[0].runs)
    shapes = doc.inline_shapes
    assert len(shapes) == 2
    assert [s._inline.docPr.get("descr") for s in shapes] == [b.alt for b in report.blocks if isinstance(b, Chart)]
    assert all(abs(s.width - Cm(16)) < Cm(0.01) for s in shapes)
    assert [doc.part.related_parts[s._inline.graphic.graphicData.pic.blipFill.blip.embed].blob for s in shapes] == chart_pngs
    section = doc.sections[0]
    assert abs(section.page_width - Cm(21.0)) < Cm(0.01) and abs(section.page_height - Cm(29.7)) < Cm(0.01)  # A4 portrait
    assert report.title in section.header.paragraphs[0].text
    fields = [f.get(qn("w:instr")) for f in section.footer._element.iter(qn("w:fldSimple"))]
    assert fields == ["PAGE", "NUMPAGES"]
    assert doc.core_properties.created == doc.core_properties.modified == WHEN


def test_a_form_after_a_landscape_block_goes_on_landscape_pages_with_its_widths():
    form = Table(("Code provision", "Comply: Yes / No"), (("1.2", "Yes"), ("2.3", "No")), widths=(0.25, 0.15), answer_column=1)
    doc = Document("Report", "Council", (), (Paragraph("Before."), Landscape(), Quote(("One.", "Two.")), form,
                                             Fields((("Approved by", "Cabinet"),))))
    word = open_docx(io.BytesIO(render_docx_document(doc, WHEN)))
    portrait, landscape = word.sections
    assert portrait.page_width < portrait.page_height and landscape.page_width > landscape.page_height
    assert [p.text for p in word.paragraphs if p.style.name == "Quote"] == ["One.", "Two."]
    table = word.tables[0]
    text_width = landscape.page_width - landscape.left_margin - landscape.right_margin
    assert abs(table.columns[0].width - 0.25 * text_width) < Cm(0.01), "a share of the landscape page"
    assert [c.text for c in word.tables[1].rows[0].cells] == ["Approved by", "Cabinet"]
    html = render_html_document(doc)
    assert '<div class="landscape">' in html and "@page wide { size: A4 landscape; }" in html
    assert '<table class="form" style="width: 40%">' in html and '<col style="width: 62.5%">' in html
    assert '<td class="answer no">No</td>' in html and "<blockquote>\n<p>One.</p>\n<p>Two.</p>\n</blockquote>" in html
    md = render_markdown_document(doc)
    assert "> One.\n>\n> Two." in md and "- **Approved by:** Cabinet" in md


def test_charts_are_deterministic_16cm_pngs():
    drawn = [
        lambda: charts.bar_chart("By area", list(AREAS), list(COUNTS)),
        lambda: charts.grouped_bar_chart("Outcomes", ["Stage 1", "Stage 2"], {"Upheld": [15, 3], "Not upheld": [21, 3]}),
    ]
    for draw in drawn:
        png = draw()
        assert png.startswith(PNG) and png == draw()
        image = Image.open(io.BytesIO(png))
        assert image.width == 944  # 16 cm at 150 dpi
        assert "Software" not in image.info and b"matplotlib" not in png


def test_the_command_line_does_not_load_matplotlib():
    code = "import sys, cli, checker.report.charts, checker.report.html_format; assert 'matplotlib' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_markdown_report_draws_no_chart():
    """Markdown shows a chart's text alone, so writing one must not load matplotlib (about half a second)."""
    code = ("import sys; from click.testing import CliRunner; from cli import main; from conftest import EXAMPLE; "
            "out = CliRunner().invoke(main, ['annual-report', '--policy', str(EXAMPLE / 'policy.yaml'), '--register', "
            "str(EXAMPLE / 'register.csv'), '--period', '2024-25', '--format', 'md']); "
            "assert out.exit_code == 0 and '*Chart: ' in out.stdout, out.output; assert 'matplotlib' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parent)
