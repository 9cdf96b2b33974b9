"""A Document (Appendix 1 or a report) as a Word document on A4, for the committee papers a council publishes.

The title uses Word's Title style and sections its Heading styles (a document's level 2 is Heading 1), so the
navigation pane and a table of contents work. Tables repeat their bold header row on every page; numeric
columns are right-aligned and a total row is bold; an empty paragraph follows a table, since Word gives it
no space after and would merge two tables with nothing between them. A cell's lines are its paragraphs. A
Landscape block starts a new section on landscape pages (the header and footer carry on). Each chart is a
picture whose description is its alt text, captioned beneath. The same generated_at gives the same bytes
(checker.render.formats.stamp_zip).
"""

from __future__ import annotations

import datetime as dt
import io

import docx
from docx.document import Document as DocumentType
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.shared import Cm, Length, RGBColor
from docx.table import _Cell

from checker.render.appendix import COLOURS
from checker.render.docx_layout import CELL_STYLE, grid, page, properties, shade, styles
from checker.render.formats import stamp_zip
from checker.report import charts
from checker.report.model import Block, Bullets, Chart, Document, Fields, Heading, Landscape, Paragraph, Quote, Table

META_WIDTHS = (Cm(4.5), Cm(13.5))
# cm a character of 9 pt Arial takes at most (bold, capitals), and a cell's padding
CHAR, PADDING = 0.2, 0.6
NARROWEST, LONGEST_WORD = 2.0, 3.0  # cm


def render_docx_document(doc: Document, generated_at: dt.datetime) -> bytes:
    word = docx.Document()
    page(word, doc.running_title, f"{doc.footer} · " if doc.footer else "", landscape=doc.landscape)
    styles(word, headings=3)
    word.add_heading(doc.title, level=0)
    if doc.subtitle:
        word.add_paragraph(doc.subtitle, style="Subtitle")
    if doc.meta:
        grid(word, None, META_WIDTHS, doc.meta, bold_first=True)
        word.add_paragraph()
    for block in doc.blocks:
        _block(word, block)
    properties(word, doc.title, doc.subtitle, doc.description, generated_at)
    out = io.BytesIO()
    word.save(out)
    return stamp_zip(out.getvalue(), generated_at)


def _block(word: DocumentType, block: Block) -> None:
    if isinstance(block, Heading):
        word.add_heading(block.text, level=min(max(block.level - 1, 1), 3))
    elif isinstance(block, Paragraph):
        paragraph = word.add_paragraph(style=CELL_STYLE if block.style == "note" else None)
        paragraph.add_run(block.text).bold = block.style == "lead" or None
    elif isinstance(block, Bullets):
        for item in block.items:
            word.add_paragraph(item, style="List Bullet")
    elif isinstance(block, Quote):
        for text in block.paragraphs:
            word.add_paragraph(text, style="Quote")
    elif isinstance(block, Fields):
        grid(word, None, META_WIDTHS, block.pairs, bold_first=True)
        word.add_paragraph()
    elif isinstance(block, Landscape):
        _landscape(word)
    elif isinstance(block, Table):
        if block.caption:
            word.add_paragraph(block.caption, style="Caption").paragraph_format.keep_with_next = True
        width = _text_width(word)
        widths = [Cm(width * w) for w in block.widths] if block.widths else _widths(block, width)
        rows = [[value.splitlines() if "\n" in value else value for value in row] for row in block.rows]
        table = grid(word, block.columns, widths, rows, numeric=block.numeric, total_row=block.total_row)
        if block.answer_column is not None:
            for row in table.rows[1:]:
                _answer(row.cells[block.answer_column])
        word.add_paragraph()
    elif isinstance(block, Chart):
        picture = word.add_paragraph()
        picture.paragraph_format.keep_with_next = True
        shape = picture.add_run().add_picture(io.BytesIO(block.png), width=Cm(min(charts.WIDTH_CM, _text_width(word))))
        shape._inline.docPr.set("descr", block.alt)
        word.add_paragraph(block.title, style="Caption")
    else:
        raise TypeError(f"not a document block: {block!r}")


def _landscape(word: DocumentType) -> None:
    """A new section whose pages are landscape, with the margins, header and footer of the one before."""
    section = word.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.LANDSCAPE
    short, long = sorted((section.page_width or 0, section.page_height or 0))
    section.page_width, section.page_height = Length(long), Length(short)


def _text_width(word: DocumentType) -> float:
    """The width in cm between the margins of the pages being written (the last section's)."""
    section = word.sections[-1]
    return Length((section.page_width or 0) - (section.left_margin or 0) - (section.right_margin or 0)).cm


def _answer(cell: _Cell) -> None:
    """A Yes / No answer shaded as the form's Comply column is, in bold."""
    if cell.text in COLOURS:
        fill, ink = COLOURS[cell.text]
        shade(cell, fill)
        for run in cell.paragraphs[0].runs:
            run.bold = True
            run.font.color.rgb = RGBColor.from_string(ink)


def _widths(table: Table, text_width: float) -> list[Length]:
    """Widths across the page, the way a browser lays out an automatic table.

    A numeric column is as wide as its longest figure (figures never wrap). A text column is at least as wide
    as its longest word (up to LONGEST_WORD; Word breaks a longer one) and at most its longest line; text
    columns grow towards their longest lines in proportion to how far they have to go, then fill the page.
    """
    columns = list(zip(table.columns, *table.rows, strict=True))
    least, most = [], []
    for i, (heading, *cells) in enumerate(columns):
        if i in table.numeric:  # a figure never wraps; its heading may
            least.append(_cm(max([*(len(w) for w in heading.split()), *map(len, cells)], default=0)))
        else:
            least.append(min(_cm(max((len(w) for text in (heading, *cells) for w in text.split()), default=0)), LONGEST_WORD))
        most.append(max(least[-1], _cm(max((len(line) for text in (heading, *cells) for line in text.splitlines()), default=0))))
    room = text_width - sum(least)
    grow = {i: most[i] - least[i] for i in range(len(columns)) if i not in table.numeric}
    if sum(grow.values()) <= room:  # every line fits: the text columns share out what is left
        extra = (room - sum(grow.values())) / (sum(most[i] for i in grow) or 1)
        width = [most[i] * (1 + extra) if i in grow else least[i] for i in range(len(columns))]
    else:  # nor does the page: each text column wraps, less the further it is from fitting
        width = [least[i] + max(room, 0) * grow.get(i, 0) / (sum(grow.values()) or 1) for i in range(len(columns))]
    return [Cm(w * min(1.0, text_width / sum(width))) for w in width]


def _cm(characters: int) -> float:
    """How wide a cell must be for this many characters on one line."""
    return max(NARROWEST, PADDING + CHAR * characters)
