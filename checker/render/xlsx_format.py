"""Appendix 1 as an Excel workbook (openpyxl): a Summary sheet, a sheet per section of the form, and "Not met".

Officers sort, filter and annotate the self-assessment before it goes to committee, so every sheet has its
header row frozen and filtered, and prints on A4 landscape with that row repeated.
Every text value is stored as text, never as a formula: openpyxl would make "=HYPERLINK(...)" a live formula,
so the cell is typed as a string and, when it starts with a character a spreadsheet reads as a formula
(= + - @, tab, CR), marked with Excel's quote prefix as if typed with a leading apostrophe.
The same generated_at gives the same bytes: document dates and zip timestamps come from it.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.xml.functions import tostring

from checker.render.appendix import COLOURS, COLUMNS, FORMULA_START, GAP_COLUMNS, SIGN_OFF_HEADING, Appendix, build_appendix
from checker.render.formats import Context, stamp_zip
from checker.verdict.assessment import Assessment

WIDTHS = (11, 60, 13, 60, 55)
GAP_WIDTHS = (11, 50, 45, 45, 24, 16)
# openpyxl's Font() names no typeface, which LibreOffice shows as a serif: name the workbook's default
BOLD = Font(name="Calibri", size=11, bold=True)
HEADER_FILL = PatternFill("solid", fgColor="E3E3E3")
WRAP = Alignment(wrap_text=True, vertical="top")
SHEET_NAME_MAX = 31
LINE_HEIGHT = 15  # points, for the default 11 pt font
NOT_SHEET_NAME = re.compile(r"[\[\]:*?/\\']")


def render_xlsx(assessment: Assessment, context: Context) -> bytes:
    appendix = build_appendix(assessment, context.generated_at, context.case_refs)
    wb = Workbook()
    _summary(wb.worksheets[0], appendix)
    names = _sheet_names([t.heading for t in appendix.tables], taken={"Summary", "Not met"})
    for table, name in zip(appendix.tables, names, strict=True):
        ws = wb.create_sheet(name)
        _grid(ws, COLUMNS, WIDTHS, [r.cells for r in table.rows])
        for row, result in zip(ws.iter_rows(min_row=2, min_col=3, max_col=3), table.rows, strict=True):
            fill, ink = COLOURS[result.comply]
            row[0].fill = PatternFill("solid", fgColor=fill)
            row[0].font = Font(name="Calibri", size=11, bold=True, color=ink)
            row[0].alignment = Alignment(horizontal="center", vertical="top", wrap_text=True)
        _print(ws, appendix, table.heading)
    ws = wb.create_sheet("Not met")
    _grid(ws, GAP_COLUMNS, GAP_WIDTHS, [g.cells for g in appendix.gaps])
    _print(ws, appendix, "Requirements not met")
    for ws in wb.worksheets:
        _heights(ws)
    props = wb.properties
    props.creator = props.lastModifiedBy = "chc"
    props.title = appendix.title
    props.subject = appendix.landlord
    props.description = appendix.provenance
    return save_stamped(wb, context.generated_at)


def save_stamped(wb: Workbook, generated_at: dt.datetime) -> bytes:
    """The workbook's bytes, created and modified at `generated_at`: the same stamp gives the same bytes."""
    props = wb.properties
    props.created = _naive_utc(generated_at)
    out = io.BytesIO()
    wb.save(out)
    props.modified = props.created  # saving stamps the clock's time; put generated_at back
    return stamp_zip(out.getvalue(), generated_at, {"docProps/core.xml": tostring(props.to_tree())})


def _summary(ws: Worksheet, appendix: Appendix) -> None:
    ws.title = "Summary"
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 110
    _put(ws, 1, 1, appendix.title).font = Font(name="Calibri", size=14, bold=True)
    row = _pairs(ws, 3, appendix.meta) + 1
    for col, heading in enumerate(("Comply", "Provisions"), 1):
        cell = _put(ws, row, col, heading)
        cell.font, cell.fill = BOLD, HEADER_FILL
    for label, n in appendix.summary:
        row += 1
        _put(ws, row, 1, label)
        _put(ws, row, 2, n).alignment = Alignment(horizontal="left")
    row += 1
    _put(ws, row, 1, "Total").font = BOLD
    _put(ws, row, 2, appendix.total).alignment = Alignment(horizontal="left")
    row += 2
    _put(ws, row, 1, SIGN_OFF_HEADING).font = BOLD
    row = _pairs(ws, row + 1, appendix.sign_off) + 1
    notes = _put(ws, row, 1, "Notes")
    notes.font, notes.alignment = BOLD, WRAP
    for note in appendix.notes:
        _put(ws, row, 2, note).alignment = WRAP
        row += 1
    _print(ws, appendix, "Summary")


def _pairs(ws: Worksheet, row: int, pairs: tuple[tuple[str, str], ...]) -> int:
    """A bold label and its value a row, from `row`; the row after them."""
    for label, value in pairs:
        cell = _put(ws, row, 1, label)
        cell.font, cell.alignment = BOLD, WRAP
        _put(ws, row, 2, value).alignment = WRAP
        row += 1
    return row


def _grid(ws: Worksheet, headings: Sequence[str], widths: Sequence[int], rows: list[Sequence[str | Sequence[str]]]) -> None:
    for col, (heading, width) in enumerate(zip(headings, widths, strict=True), 1):
        cell = _put(ws, 1, col, heading)
        cell.font, cell.fill, cell.alignment = BOLD, HEADER_FILL, WRAP
        ws.column_dimensions[get_column_letter(col)].width = width
    for r, values in enumerate(rows, 2):
        for col, value in enumerate(values, 1):
            _put(ws, r, col, value if isinstance(value, str) else "\n".join(value)).alignment = WRAP
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(headings))}{max(len(rows) + 1, 2)}"
    ws.print_title_rows = "1:1"


def _heights(ws: Worksheet) -> None:
    """Set each row tall enough for its wrapped text: LibreOffice does not resize rows on opening, so estimate.

    A column of width w holds some 1.2 w characters of prose a line; counting 1.1 w errs on the tall side.
    """
    for row in ws.iter_rows(min_row=1):
        lines = 1
        for cell in row:
            if isinstance(cell.value, str) and cell.alignment.wrap_text:
                width = ws.column_dimensions[cell.column_letter].width
                lines = max(lines, sum(max(1, math.ceil(len(p) / (width * 1.1))) for p in cell.value.split("\n")))
        if lines > 1 and row[0].row is not None:
            ws.row_dimensions[row[0].row].height = lines * LINE_HEIGHT + 2


def _put(ws: Worksheet, row: int, col: int, value: str | int) -> Cell:
    """Write a value; text stays text (see the module docstring)."""
    if not isinstance(value, str):
        return ws.cell(row=row, column=col, value=value)
    text = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = ws.cell(row=row, column=col, value=text)
    cell.data_type = "s"
    if text.startswith(FORMULA_START):
        cell.quotePrefix = True
    return cell


def _print(ws: Worksheet, appendix: Appendix, heading: str) -> None:
    """A4 landscape, one page wide, with what the sheet is in the header and whose it is in the footer."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_options.gridLines = True
    header, footer = ws.oddHeader, ws.oddFooter
    assert header is not None and footer is not None  # openpyxl gives every new sheet both
    header.left.text = _header_text(heading)
    footer.left.text = _header_text(f"{appendix.landlord}: {appendix.title}")
    footer.right.text = "Page &P of &N"


def _header_text(text: str) -> str:
    """In a header or footer & starts a code (&P is the page number), so a literal & is written &&."""
    return text.replace("&", "&&")


def _sheet_names(headings: Sequence[str], taken: set[str]) -> list[str]:
    """ "S6 Stage 1" from "Section 6 – Complaint stages: Stage 1": at most 31 characters, none of []:*?/\\' and unique."""
    numbers = [m.group(1) if (m := re.match(r"Section (\S+) – ", h)) else "" for h in headings]
    names: list[str] = []
    for i, (heading, number) in enumerate(zip(headings, numbers, strict=True), 1):
        title = heading.split(" – ", 1)[-1]
        # a section split into parts (6: Stage 1, Stage 2) is named by its part, any other by its title
        label = title.rpartition(": ")[2] if number and numbers.count(number) > 1 else title.partition(": ")[0]
        name = _fit(f"S{number or i} {NOT_SHEET_NAME.sub(' ', label)}")
        unique, n = name, 2
        while unique.lower() in {t.lower() for t in (*taken, *names)}:
            unique, n = f"{_fit(name, SHEET_NAME_MAX - len(str(n)) - 3)} ({n})", n + 1
        names.append(unique)
    return names


def _fit(text: str, limit: int = SHEET_NAME_MAX) -> str:
    """Collapse spaces and cut at a word boundary to fit the limit."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit + 1].rsplit(" ", 1)[0].rstrip(",;- ")
    return cut if 0 < len(cut) <= limit else text[:limit]


def _naive_utc(when: dt.datetime) -> dt.datetime:
    """openpyxl writes document dates as UTC without an offset."""
    return when.astimezone(dt.timezone.utc).replace(tzinfo=None)
