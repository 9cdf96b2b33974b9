"""The Ombudsman's self-assessment form as a landlord downloads it (Word): each provision's number and its words.

The form has one table per Code section under the headings `Code provision | Code requirement | Comply: Yes / No |
Evidence | Commentary / explanation`. Only the first two columns are read, from every table whose header row has
them; other tables (a cover, a sign-off) are passed over. A row that names no provision, such as a "Stage 1" row
across the table, is a sub-heading. The requirement is kept as written: a paragraph a line, lettered lists as
typed, white space within a line collapsed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from checker.errors import InputError, Problem, fail
from checker.load.readfile import check_zip, regular_file

if TYPE_CHECKING:
    from docx.table import _Cell
    from docx.text.paragraph import Paragraph

MAX_BYTES = 50 * 1024 * 1024  # the form is tens of kilobytes; a Word file with pictures, a few megabytes
HEADINGS = {"provision": ("code provision", "provision"), "requirement": ("code requirement", "requirement")}
HEADER_ROWS = 3  # the header is the table's first row; a title row above it is allowed for
# "6.1", "6.1 ", "6.1.", "Provision 6.1", "Code provision 6.1"
PROVISION = re.compile(r"(?:code\s+)?(?:provision\s+)?(\d{1,2})\.(\d{1,3})\.?", re.IGNORECASE)
UNREADABLE = "not a Word document chc can read; save the form from Word as a Word Document (.docx)"


@dataclass(frozen=True)
class FormRow:
    """One provision's row: its number, its requirement text, and where it is (for messages)."""

    provision: str
    requirement: str
    where: str  # "table 3, row 5"
    numbered: bool = False  # Word numbers a list in the requirement: its labels (a, b, 1, 2) are not in the text


def read_form(path: Path) -> list[FormRow]:
    """Every provision row of the form, in the form's order; InputError if no table has the form's headings, or a
    row cannot be read."""
    from docx import Document

    name = str(path)
    regular_file(path, MAX_BYTES, "Word forms")
    check_zip(path, "document", UNREADABLE, "the form is far smaller", "the form is far smaller")
    try:
        document = Document(name)
    except Exception:  # python-docx raises several types (and KeyError) for a zip that is not a Word document
        raise fail(name, None, None, UNREADABLE) from None
    rows: list[FormRow] = []
    problems: list[Problem] = []
    for t, table in enumerate(document.tables, start=1):
        cells = [list(row.cells) for row in table.rows]
        grid = [[_text(cell) for cell in row] for row in cells]
        found = next(((i, columns) for i, heads in enumerate(grid[:HEADER_ROWS]) if (columns := _columns(heads))), None)
        if found is None:
            continue
        header, (provision_at, requirement_at) = found
        for r, line in enumerate(grid[header + 1:], start=header + 2):
            where = f"table {t}, row {r}"
            number, text = (line[i] if i < len(line) else "" for i in (provision_at, requirement_at))
            named = PROVISION.fullmatch(unicodedata.normalize("NFKC", number))
            if named:
                listed = requirement_at < len(line) and any(map(_numbered, cells[r - 1][requirement_at].paragraphs))
                rows.append(FormRow(f"{int(named[1])}.{int(named[2])}", text, where, listed))
                if not text:
                    problems.append(Problem(name, None, where, f"the Code requirement of provision {rows[-1].provision} is empty"))
            elif text and text != number:  # a sub-heading spans the row, so every cell reads the same
                problems.append(Problem(name, None, where, "the Code provision cell holds no provision number (such as 6.1)"))
    if not rows and not problems:
        raise fail(name, None, None, "not a self-assessment form: no table has the columns 'Code provision' and 'Code requirement'")
    seen: dict[str, str] = {}
    for row in rows:
        if row.provision in seen:
            problems.append(Problem(name, None, row.where, f"provision {row.provision} is in the form twice (first at {seen[row.provision]})"))
        seen.setdefault(row.provision, row.where)
    if problems:
        raise InputError(problems)
    return rows


def _columns(cells: list[str]) -> tuple[int, int] | None:
    """Where the provision and requirement columns are, if these cells are the form's header row."""
    heads = [re.sub(r"[\s:]+$", "", cell.lower()) for cell in cells]
    found = [next((i for i, head in enumerate(heads) if head in names), None) for names in HEADINGS.values()]
    return (found[0], found[1]) if found[0] is not None and found[1] is not None else None


def _text(cell: _Cell) -> str:
    """A cell's text as written: its paragraphs (and line breaks) a line each, spaces collapsed, blank lines dropped."""
    lines = (" ".join(line.split()) for p in cell.paragraphs for line in p.text.splitlines())
    return "\n".join(line for line in lines if line)


def _numbered(paragraph: Paragraph) -> bool:
    """Whether Word numbers the paragraph, itself or by its style ("List Number"): its label is then no part of its text."""
    style = paragraph.style
    return any(p is not None and p.numPr is not None for p in (paragraph._p.pPr, style.element.pPr if style else None))
