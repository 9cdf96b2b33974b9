"""What chc's Word documents share: the A4 page with its header and footer, Arial styles, and bordered tables.

Tables have fixed column widths, a bold shaded header row repeated on every page, and rows that never split
across pages. Document dates come from the caller's `generated_at`, never from the clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence

from docx.document import Document as DocumentType
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Length, Pt
from docx.table import Table, _Cell, _Row
from docx.text.paragraph import Paragraph

MARGIN = Cm(1.5)
CELL_STYLE = "Table Text"
FONT = "Arial"


def page(doc: DocumentType, header: str, footer: str, landscape: bool = False) -> None:
    """A4 with 1.5 cm margins; `header` at the top of every page and `footer` then "Page X of Y" at the foot."""
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    long, short = Cm(29.7), Cm(21.0)
    section.page_width, section.page_height = (long, short) if landscape else (short, long)
    section.left_margin = section.right_margin = section.top_margin = section.bottom_margin = MARGIN
    section.header_distance = section.footer_distance = Cm(0.8)
    section.header.paragraphs[0].text = header
    foot = section.footer.paragraphs[0]
    foot.text = footer + "Page "
    _field(foot, "PAGE")
    foot.add_run(" of ")
    _field(foot, "NUMPAGES")
    for paragraph in (section.header.paragraphs[0], foot):
        for run in paragraph.runs:
            run.font.size = Pt(8)


def styles(doc: DocumentType, headings: int = 1) -> None:
    """Arial throughout (the template's theme sets Cambria), 10 pt, and 9 pt single-spaced in tables and notes.

    `headings` is how many Heading levels the document uses: their theme fonts are replaced too.
    """
    for name in ("Normal", "Title", "Subtitle", *(f"Heading {n}" for n in range(1, headings + 1))):
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


def grid(doc: DocumentType, headings: Sequence[str] | None, widths: Sequence[Length],
         rows: Sequence[Sequence[str | Sequence[str]]], bold_first: bool = False, numeric: Collection[int] = (),
         total_row: bool = False) -> Table:
    """A bordered table with fixed column widths; a cell given several paragraphs holds them as paragraphs.

    `numeric` columns are right-aligned (heading too); with `total_row` the last row is bold.
    """
    table = doc.add_table(rows=len(rows) + bool(headings), cols=len(widths))  # all rows at once: add_row() re-reads the grid each time
    table.style = doc.styles["Table Grid"]
    style_id = doc.styles[CELL_STYLE].style_id
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    lines = iter(table.rows)
    if headings:
        header = next(lines)
        _flag(header, "w:tblHeader")
        for i, (cell, text) in enumerate(zip(header.cells, headings, strict=True)):
            _fill(cell, [text], style_id, bold=True, right=i in numeric, width=widths[i])
            shade(cell, "E3E3E3")
    for n, (row, values) in enumerate(zip(lines, rows, strict=True), start=1):
        _flag(row, "w:cantSplit")
        for i, (cell, value) in enumerate(zip(row.cells, values, strict=True)):
            bold = (bold_first and i == 0) or (total_row and n == len(rows))
            _fill(cell, [value] if isinstance(value, str) else list(value), style_id, bold=bold, right=i in numeric, width=widths[i])
    return table


def shade(cell: _Cell, fill: str) -> None:
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shd)


PROPERTY_LENGTH = 255  # Word's limit on a core property (a council's legal name with its ALMO can be longer)


def properties(doc: DocumentType, title: str, subject: str, comments: str, generated_at: dt.datetime) -> None:
    """Title, subject and comments as given (cut to Word's limit with an ellipsis), chc as the author, and both
    dates `generated_at`."""
    props = doc.core_properties
    props.title = _cut(title)
    props.subject = _cut(subject)
    props.author = props.last_modified_by = "chc"
    props.created = props.modified = generated_at
    props.comments = _cut(comments)
    props.revision = 1


def _cut(text: str) -> str:
    return text if len(text) <= PROPERTY_LENGTH else text[:PROPERTY_LENGTH - 1] + "…"


def _fill(cell: _Cell, paragraphs: list[str], style_id: str, bold: bool, right: bool, width: Length) -> None:
    """The cell's paragraphs in the cell style, set by its id: python-docx's `paragraph.style = name` looks the
    style up among all styles on every call, which made it most of the time a Word document took to write."""
    cell.width = width
    first = cell.paragraphs[0]
    for i, text in enumerate(paragraphs or [""]):
        paragraph = first if i == 0 else cell.add_paragraph()
        paragraph._p.style = style_id
        if right:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        paragraph.add_run(text).bold = bold or None


def _flag(row: _Row, tag: str) -> None:
    """w:tblHeader repeats a row at the top of each page; w:cantSplit keeps a row on one page."""
    element = OxmlElement(tag)
    element.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(element)


def _field(paragraph: Paragraph, instruction: str) -> None:
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    properties = OxmlElement("w:rPr")
    size = OxmlElement("w:sz")
    size.set(qn("w:val"), "16")  # half-points: 8 pt, as the footer's own text
    properties.append(size)
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(properties)
    run.append(text)
    field.append(run)
    paragraph._p.append(field)
