"""Appendix 1 as a Word document, the form councils attach to the committee report that approves it.

Built with python-docx on A4 landscape. Title and section headings use Word's Title and Heading styles (so the
navigation pane and a table of contents work); each section's table repeats its header row on every page.
The same generated_at gives the same bytes: the document's dates and the zip entries' timestamps come from
it, never from the clock.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence

from docx import Document
from docx.document import Document as DocumentType
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Length, Pt, RGBColor
from docx.table import Table, _Cell, _Row
from docx.text.paragraph import Paragraph

from checker.appendix import COLOURS, COLUMNS, GAP_COLUMNS, Appendix, build_appendix
from checker.assessment import Assessment
from checker.outputs import Context, stamp_zip

MARGIN = Cm(1.5)
# landscape A4 less the margins is 26.7 cm
WIDTHS = (Cm(2.0), Cm(7.0), Cm(2.0), Cm(8.0), Cm(7.7))
GAP_WIDTHS = (Cm(2.1), Cm(6.4), Cm(6.4), Cm(6.4), Cm(3.0), Cm(2.4))
META_WIDTHS = (Cm(4.5), Cm(16.0))
SUMMARY_WIDTHS = (Cm(6.0), Cm(2.5))
FOOTER_META = ("Period", "Code", "Rules version", "Generated")
CELL_STYLE = "Table Text"
FONT = "Arial"


def render_docx(assessment: Assessment, context: Context) -> bytes:
    appendix = build_appendix(assessment, context.generated_at)
    doc = Document()
    _page(doc, appendix)
    _styles(doc)
    doc.add_heading(appendix.title, level=0)
    doc.add_paragraph(appendix.landlord, style="Subtitle")
    _grid(doc, None, META_WIDTHS, list(appendix.meta), bold_first=True)
    doc.add_heading("Summary", level=1)
    total = sum(n for _, n in appendix.summary)
    _grid(doc, ("Comply", "Provisions"), SUMMARY_WIDTHS, [(label, str(n)) for label, n in appendix.summary] + [("Total", str(total))])
    if appendix.preamble:
        doc.add_heading("About this form", level=1)
        for paragraph in appendix.preamble:
            doc.add_paragraph(paragraph, style="Quote")
        if appendix.preamble_source:
            doc.add_paragraph(f"Source of the preamble: {appendix.preamble_source}", style=CELL_STYLE)
    for section in appendix.tables:
        doc.add_heading(section.heading, level=1)
        table = _grid(doc, COLUMNS, WIDTHS, [(r.provision, r.requirement, r.comply, r.evidence, r.commentary) for r in section.rows])
        for row, result in zip(table.rows[1:], section.rows, strict=True):
            _colour(row.cells[2], result.status)
    doc.add_heading("Requirements not met", level=1)
    if appendix.gaps:
        _grid(doc, GAP_COLUMNS, GAP_WIDTHS,
              [(g.provision, g.requirement, g.reasons, g.proposal, g.owner, g.target_date) for g in appendix.gaps])
    else:
        doc.add_paragraph("Every requirement assessed is met, waived or not applicable.")
    doc.add_heading("Notes", level=1)
    for note in appendix.notes:
        doc.add_paragraph(note, style=CELL_STYLE)
    _properties(doc, appendix, context.generated_at)
    out = io.BytesIO()
    doc.save(out)
    return stamp_zip(out.getvalue(), context.generated_at)


def _page(doc: DocumentType, appendix: Appendix) -> None:
    """A4 landscape, 1.5 cm margins; who and what in the header, which period, Code, rules and when in the footer."""
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    section.left_margin = section.right_margin = section.top_margin = section.bottom_margin = MARGIN
    section.header_distance = section.footer_distance = Cm(0.8)
    section.header.paragraphs[0].text = f"{appendix.landlord}: {appendix.title}"
    meta = dict(appendix.meta)
    footer = section.footer.paragraphs[0]
    footer.text = " · ".join(f"{label}: {meta[label]}" for label in FOOTER_META if label in meta) + " · Page "
    _field(footer, "PAGE")
    footer.add_run(" of ")
    _field(footer, "NUMPAGES")
    for paragraph in (section.header.paragraphs[0], footer):
        for run in paragraph.runs:
            run.font.size = Pt(8)


def _styles(doc: DocumentType) -> None:
    """Arial throughout (the template's theme sets Cambria for body text), 10 pt, and 9 pt single-spaced in tables."""
    for name in ("Normal", "Title", "Subtitle", "Heading 1"):
        font = doc.styles[name].font
        font.name = FONT
        rfonts = doc.styles[name].element.rPr.rFonts
        for theme in ("w:asciiTheme", "w:hAnsiTheme"):
            rfonts.attrib.pop(qn(theme), None)
    doc.styles["Normal"].font.size = Pt(10)
    cell = doc.styles.add_style(CELL_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    cell.base_style = doc.styles["Normal"]
    cell.font.size = Pt(9)
    cell.paragraph_format.space_before = Pt(0)
    cell.paragraph_format.space_after = Pt(3)
    cell.paragraph_format.line_spacing = 1.0


def _grid(doc: DocumentType, headings: Sequence[str] | None, widths: Sequence[Length],
          rows: list[Sequence[str | Sequence[str]]], bold_first: bool = False) -> Table:
    """A bordered table with fixed column widths; a cell given several paragraphs holds them as paragraphs."""
    table = doc.add_table(rows=0, cols=len(widths))
    table.style = doc.styles["Table Grid"]
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    if headings:
        header = table.add_row()
        _flag(header, "w:tblHeader")
        for cell, text in zip(header.cells, headings, strict=True):
            _fill(cell, [text], bold=True)
            _shade(cell, "E3E3E3")
    for values in rows:
        row = table.add_row()
        _flag(row, "w:cantSplit")
        for i, (cell, value) in enumerate(zip(row.cells, values, strict=True)):
            _fill(cell, [value] if isinstance(value, str) else list(value), bold=bold_first and i == 0)
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width
    return table


def _fill(cell: _Cell, paragraphs: list[str], bold: bool = False) -> None:
    first = cell.paragraphs[0]
    for i, text in enumerate(paragraphs or [""]):
        paragraph = first if i == 0 else cell.add_paragraph()
        paragraph.style = CELL_STYLE
        paragraph.add_run(text).bold = bold or None


def _colour(cell: _Cell, status: str) -> None:
    fill, ink = COLOURS[status]
    _shade(cell, fill)
    for run in cell.paragraphs[0].runs:
        run.bold = True
        run.font.color.rgb = RGBColor.from_string(ink)


def _shade(cell: _Cell, fill: str) -> None:
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shd)


def _flag(row: _Row, tag: str) -> None:
    """w:tblHeader repeats a row at the top of each page; w:cantSplit keeps a row on one page."""
    element = OxmlElement(tag)
    element.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(element)


def _field(paragraph: Paragraph, instruction: str) -> None:
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _properties(doc: DocumentType, appendix: Appendix, generated_at: dt.datetime) -> None:
    props = doc.core_properties
    props.title = appendix.title
    props.subject = appendix.landlord
    props.author = props.last_modified_by = "chc"
    props.created = props.modified = generated_at
    props.comments = appendix.notes[0] if appendix.notes else ""
    props.revision = 1
