"""What a workbook holds beyond the values fastexcel reads: which sheets are hidden, and formulas whose values were
never calculated.

A workbook written by a program (openpyxl, XlsxWriter, many exporters) keeps each formula with no value, or a
placeholder, and asks the spreadsheet to calculate them on opening: fastexcel reads such a cell as blank, or as the
placeholder, so a response date `=DATE(2024,5,30)` would make an answered complaint look unanswered. chc evaluates
no formula (no well-kept library does so cheaply and for every function); it names the cells, and the fix.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree.ElementTree import fromstring, iterparse

from checker.errors import Problem

# a cell's formula element, with or without a namespace prefix (two patterns with a literal start search fastest)
FORMULA = (re.compile(rb"<f[\s>/]"), re.compile(rb":f[\s>/]"))
CHUNK = 4 * 1024**2
SHOWN_CELLS = 3
FORMULA_FIX = ("open the workbook in Excel (or LibreOffice) and save it, which stores each formula's value, or "
               "export the register's values")


@dataclass(frozen=True)
class Book:
    """The workbook's sheets in order, by name: each one's part in the zip and whether it is hidden; and whether
    the program that wrote it left its formulas to be calculated on opening (fullCalcOnLoad)."""

    parts: dict[str, str]
    hidden: frozenset[str]
    calculate_on_load: bool

    def first_visible(self) -> str | None:
        return next((sheet for sheet in self.parts if sheet not in self.hidden), None)


def contents(path: Path) -> Book:
    """The workbook's sheets from its workbook part, without reading any sheet."""
    from openpyxl.reader.excel import ExcelReader  # only for a workbook: openpyxl takes a while to import

    reader = ExcelReader(str(path), read_only=True)
    try:
        reader.read_manifest()
        reader.read_workbook()
        sheets = list(reader.parser.find_sheets())
        # read from the XML, as openpyxl takes a missing fullCalcOnLoad to be true
        calculation = [e for e in fromstring(reader.archive.read(reader.parser.workbook_part_name)) if _local(e.tag) == "calcPr"]
    finally:
        reader.archive.close()
    return Book({sheet.name: rel.target for sheet, rel in sheets},
                frozenset(sheet.name for sheet, _ in sheets if sheet.state != "visible"),
                any(e.get("fullCalcOnLoad") in ("1", "true") for e in calculation))


def uncalculated(name: str, path: Path, book: Book, sheet: str, header_row: int, read: frozenset[str]) -> list[Problem]:
    """The formulas below the header row (1-based) of `sheet`, in the columns headed `read`, with no calculated value
    (all of them, when the workbook asks for them to be calculated on opening): one problem per column, naming its
    first cells."""
    part = book.parts[sheet]
    if not _has_formulas(path, part):
        return []
    cells: dict[str, list[tuple[int, str]]] = {}
    with zipfile.ZipFile(path) as archive, archive.open(part) as xml:
        for _, element in iterparse(xml):
            tag = _local(element.tag)
            if tag == "row":
                element.clear()
            if tag != "c" or not (at := re.fullmatch(r"([A-Z]+)(\d+)", element.get("r", ""))):
                continue
            children = {_local(child.tag): child for child in element}
            value = children.get("v")
            stored = value is not None and (bool(value.text) or element.get("t") == "str")  # "" is a text result
            if "f" in children and int(at[2]) > header_row and (book.calculate_on_load or not stored):
                cells.setdefault(at[1], []).append((int(at[2]), at[0]))
    headings = _headings(path, sheet, header_row) if cells else {}
    problems = []
    for column, found in sorted(cells.items(), key=lambda item: item[1][0]):
        if headings.get(column) not in read:
            continue
        shown = ", ".join(f"{sheet}!{ref}" for _, ref in found[:SHOWN_CELLS])
        more = f" and {len(found) - SHOWN_CELLS:,} more" if len(found) > SHOWN_CELLS else ""
        what = "a formula whose value was" if len(found) == 1 else f"{len(found):,} formulas whose values were"
        problems.append(Problem(name, found[0][0], headings[column], f"holds {what} never calculated ({shown}{more}), "
                                "which chc would read as blank", FORMULA_FIX))
    return problems


def heading_letters(path: Path, sheet: str, header_row: int) -> dict[str, list[str]]:
    """Each heading of the header row (1-based) with the letters of the columns it heads."""
    letters: dict[str, list[str]] = {}
    for column, heading in _headings(path, sheet, header_row).items():
        letters.setdefault(heading, []).append(column)
    return letters


def _headings(path: Path, sheet: str, header_row: int) -> dict[str, str]:
    """The header row's cells by column letter (openpyxl reads only as far as the row)."""
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        rows = book[sheet].iter_rows(min_row=header_row, max_row=header_row)
        return {cell.column_letter: str(cell.value) for row in rows for cell in row
                if cell.value is not None and hasattr(cell, "column_letter")}
    finally:
        book.close()


def _has_formulas(path: Path, part: str) -> bool:
    """Whether a sheet's XML holds a formula element, searched as it streams past (most registers hold none)."""
    tail = b""
    with zipfile.ZipFile(path) as archive, archive.open(part) as xml:
        while chunk := xml.read(CHUNK):
            if any(pattern.search(tail + chunk) for pattern in FORMULA):
                return True
            tail = chunk[-8:]
    return False


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]
