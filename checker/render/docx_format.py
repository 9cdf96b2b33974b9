"""Appendix 1 as a Word document, the form councils attach to the committee report that approves it.

Built with python-docx on A4 landscape. Title and section headings use Word's Title and Heading styles (so the
navigation pane and a table of contents work); each section's table repeats its header row on every page.
The same generated_at gives the same bytes: the document's dates and the zip entries' timestamps come from
it, never from the clock.
"""

from __future__ import annotations

import io

from docx import Document
from docx.shared import Cm, RGBColor
from docx.table import _Cell

from checker.render.appendix import ALL_MET, COLOURS, COLUMNS, GAP_COLUMNS, SIGN_OFF_HEADING, build_appendix
from checker.render.docx_layout import CELL_STYLE, grid, page, properties, shade, styles
from checker.render.formats import Context, stamp_zip
from checker.verdict.assessment import Assessment

# landscape A4 less the margins is 26.7 cm
WIDTHS = (Cm(2.0), Cm(7.0), Cm(2.0), Cm(8.0), Cm(7.7))
GAP_WIDTHS = (Cm(2.1), Cm(6.4), Cm(6.4), Cm(6.4), Cm(3.0), Cm(2.4))
META_WIDTHS = (Cm(4.5), Cm(16.0))
SUMMARY_WIDTHS = (Cm(6.0), Cm(2.5))
FOOTER_META = ("Period", "Code", "Rules version", "Generated")


def render_docx(assessment: Assessment, context: Context) -> bytes:
    appendix = build_appendix(assessment, context.generated_at, context.case_refs)
    doc = Document()
    meta = dict(appendix.meta)
    footer = " · ".join(f"{label}: {meta[label]}" for label in FOOTER_META if label in meta)
    page(doc, f"{appendix.landlord}: {appendix.title}", footer + " · ", landscape=True)
    styles(doc)
    doc.add_heading(appendix.title, level=0)
    doc.add_paragraph(appendix.landlord, style="Subtitle")
    grid(doc, None, META_WIDTHS, list(appendix.meta), bold_first=True)
    doc.add_heading("Summary", level=1)
    grid(doc, ("Comply", "Provisions"), SUMMARY_WIDTHS, [(label, str(n)) for label, n in appendix.summary] + [("Total", str(appendix.total))])
    if appendix.preamble:
        doc.add_heading("About this form", level=1)
        for paragraph in appendix.preamble:
            doc.add_paragraph(paragraph, style="Quote")
    for section in appendix.tables:
        doc.add_heading(section.heading, level=1)
        table = grid(doc, COLUMNS, WIDTHS, [r.cells for r in section.rows])
        for row, result in zip(table.rows[1:], section.rows, strict=True):
            _colour(row.cells[2], result.comply)
    doc.add_heading("Requirements not met", level=1)
    if appendix.gaps:
        grid(doc, GAP_COLUMNS, GAP_WIDTHS,
             [g.cells for g in appendix.gaps])
    else:
        doc.add_paragraph(ALL_MET)
    doc.add_heading(SIGN_OFF_HEADING, level=1)
    grid(doc, None, META_WIDTHS, list(appendix.sign_off), bold_first=True)
    doc.add_heading("Notes", level=1)
    for note in appendix.notes:
        doc.add_paragraph(note, style=CELL_STYLE)
    properties(doc, appendix.title, appendix.landlord, appendix.provenance, context.generated_at)
    out = io.BytesIO()
    doc.save(out)
    return stamp_zip(out.getvalue(), context.generated_at)


def _colour(cell: _Cell, answer: str) -> None:
    fill, ink = COLOURS[answer]
    shade(cell, fill)
    for run in cell.paragraphs[0].runs:
        run.bold = True
        run.font.color.rgb = RGBColor.from_string(ink)
