"""Where a register's headings are: exports carry a title, a blank line or an "Exported on" line above them.

The header row is the first of the file's first rows to hold the most of the headings chc expects (a mapping's
headings, or the contract's column names), or the row `--header-row` names. Rows above it are not data.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from checker.errors import InputError, Problem, fail
from checker.load.mapping import Mapping
from checker.load.schemas import schema

SCAN_ROWS = 50  # the rows searched for the headings: titles take a handful
SHOWN_HEADINGS = 8  # a sheet's headings shown in a message, then "and N more"


@dataclass(frozen=True)
class Expected:
    """The headings a register should hold: any of `wanted` marks the header row; each of `needed` must be in it."""

    wanted: frozenset[str]  # compared as normal() reads them
    needed: tuple[str, ...] = ()
    mapped: bool = False  # the headings are a mapping's (its fix is the mapping), not the contract's
    read: frozenset[str] = frozenset()  # the headings, exactly as written, whose columns chc reads


def expected(mapping: Mapping | None) -> Expected:
    """A mapping's headings (stage 2's too) and the required columns it leaves to the file; else the contract's."""
    register = schema("register")
    required, columns = register["required"], frozenset(register["properties"])
    if mapping is None:
        return Expected(frozenset(map(normal, columns)), tuple(required), False, columns)
    headings = list(mapping.headings().values())
    unmapped = [c for c in required if c not in mapping.columns]
    return Expected(frozenset(map(normal, headings + unmapped)), tuple(dict.fromkeys(headings + unmapped)), True,
                    frozenset(headings) | (columns - set(mapping.columns)))


def normal(cell: object) -> str:
    """A cell as a heading is compared: spaces collapsed, case ignored ("Date  received" is "Date Received")."""
    return "" if cell is None else " ".join(str(cell).split()).casefold()


def header_index(rows: Sequence[Sequence[object]], expected: Expected) -> int:
    """The 0-based index of the first row holding the most wanted headings; when none holds any, the first row
    that is not blank (where a file's own headings are, for the messages about them)."""
    counts = [sum(normal(cell) in expected.wanted for cell in row) for row in rows]
    best = max(counts, default=0)
    if best:
        return counts.index(best)
    return next((i for i, row in enumerate(rows) if any(normal(cell) for cell in row)), 0)


def choose(name: str, rows: Sequence[Sequence[object]], expected: Expected, header_row: int | None) -> int:
    """The header row's index: found, or the one --header-row names (1-based), which must hold the headings."""
    if header_row is None:
        return header_index(rows, expected)
    if header_row > len(rows):
        raise fail(name, None, None, f"--header-row {header_row}: the file has only {len(rows)} row{'s' * (len(rows) != 1)}")
    chosen = rows[header_row - 1]
    if expected.needed and not any(normal(cell) in expected.wanted for cell in chosen):
        found = header_index(rows, expected)
        elsewhere = found + 1 != header_row and any(normal(cell) in expected.wanted for cell in rows[found])
        raise fail(name, header_row, None, f"--header-row {header_row}: the row holds none of the headings chc expects "
                   f"({_listed(expected.needed)})" + (f"; they are on row {found + 1}: pass --header-row {found + 1}, or leave "
                                                      "--header-row out" if elsewhere else ""))
    return header_row - 1


def repeats(name: str, cells: Sequence[object], expected: Expected, row: int,
            columns: Callable[[str, list[int]], str]) -> list[int]:
    """The positions of headings given again whose columns chc does not read, for the reader to drop (the first of
    them is ignored, with a warning, like any other). A heading chc reads given twice is refused, as chc cannot tell
    which column holds the register's values; `columns` names its columns in the file (heading, 0-based positions)."""
    where: dict[str, list[int]] = {}
    for i, cell in enumerate(cells):
        where.setdefault("" if cell is None else str(cell), []).append(i)
    twice = {heading: at for heading, at in where.items() if len(at) > 1}
    read = [heading for heading in twice if heading in expected.read]
    if read:
        raise InputError([Problem(name, row, heading, f"is the heading of {columns(heading, twice[heading])}: chc cannot "
                                  "tell which holds the register's values; rename or remove all but one") for heading in read])
    return sorted(i for at in twice.values() for i in at[1:])


def numbered(heading: str, at: list[int]) -> str:
    """A text file's columns by number and by the letter a spreadsheet shows them under: "columns 5 and 9 (E and I)"."""
    from openpyxl.utils import get_column_letter

    return f"columns {_and([str(i + 1) for i in at])} ({_and([get_column_letter(i + 1) for i in at])})"


def lettered(letters: list[str], at: list[int]) -> str:
    """A sheet's columns by their letters ("columns C and E"), or by their number when the letters are not known."""
    return f"columns {_and(letters)}" if len(letters) == len(at) else f"{len(at)} columns"


def _and(items: list[str]) -> str:
    return ", ".join(items[:-1]) + f" and {items[-1]}" if len(items) > 1 else "".join(items)


def lacking(row: Iterable[object], expected: Expected) -> list[str]:
    """The needed headings a row does not hold."""
    held = {normal(cell) for cell in row}
    return [h for h in expected.needed if normal(h) not in held]


def rows_above(name: str, header_row: int) -> list[Problem]:
    """The note that rows above the headings (a title, an export date) were left unread."""
    if header_row <= 1:
        return []
    above = "row 1 above them was" if header_row == 2 else f"rows 1-{header_row - 1} above them were"
    return [Problem(name, None, None, f"headings found on row {header_row}; {above} not read")]


def sheets_lacking(name: str, sheet: str, missing: list[str], sheets: dict[str, tuple[int, list[str]]],
                   expected: Expected) -> InputError:
    """A sheet lacks needed headings: the workbook's sheets with their headings (sheet: (header row, headings)), and
    the --sheet (and --header-row) that reads the one holding them all, if one does."""
    shown = "; ".join(f"'{s}', row {row}: {_listed(headings)}" if headings else f"'{s}': no headings"
                      for s, (row, headings) in sheets.items())
    holding = [(s, row) for s, (row, headings) in sheets.items()
               if not lacking(headings, expected) and s != sheet]
    if holding:
        other, row = holding[0]
        fix = f"pass --sheet {shlex.quote(other)}" + (f" --header-row {row}" if row > 1 else "")
    elif expected.mapped:
        fix = "no sheet holds them all: check the mapping's headings against the workbook's"
    else:
        fix = "no sheet holds them all: read the export's own headings with --mapping (chc mapping suggest FILE writes one)"
    return fail(name, None, None, f"sheet '{sheet}' has no heading {_listed(missing, quoted=True)}; {fix} "
                f"(the workbook's sheets: {shown})")


def _listed(headings: Sequence[str], quoted: bool = False) -> str:
    cut = [f"'{h}'" if quoted else h for h in headings[:SHOWN_HEADINGS]]
    more = len(headings) - SHOWN_HEADINGS
    return ", ".join(cut) + (f" and {more} more" if more > 0 else "")
