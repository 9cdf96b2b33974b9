"""A CSV register, read from its path by polars (never held whole in Python), below its header row.

Lines end with LF, CRLF or CR (an old Mac export). A row whose fields do not match the header's, or whose double
quotes do not open and close cells, is a bad row named by its row number: the caller skips it (--skip-bad-rows)
or refuses it. A file polars reads at once is proved whole by counting its commas outside double quotes as it
streams past; only a file with bad rows is read into memory, to find them and read the others.
"""

from __future__ import annotations

import csv
import io
import itertools
from pathlib import Path

import numpy as np
import polars as pl

from checker.errors import InputError, Problem, fail
from checker.load import encoding, headers

HEAD_BYTES = 1024**2  # where the headings are looked for (50 rows of an export take a few kilobytes)
CHUNK = 8 * 1024**2
BLOCK = 100_000  # records examined at a time when looking for bad rows, so that the arrays stay small
QUOTE, COMMA, LF, CR = 34, 44, 10, 13
BOM = b"\xef\xbb\xbf"
LONGEST_CELL = 1_000  # lines one quoted cell may span: an odd quote further from its partner is a stray one
SAVE_AS = "CSV UTF-8"
FIELDS_FIX = "put such a cell in double quotes, or pass --skip-bad-rows to leave the row out"
MISPLACED = 'holds a double quote (") inside a cell that does not start with one'
UNCLOSED = 'opens a double quote (") that nothing closes before the end of the row'
QUOTE_FIX = 'put the cell in double quotes and double each quote inside it ("6"" pipe"), or pass --skip-bad-rows to leave the row out'


def read_csv(path: Path, expected: headers.Expected, header_row: int | None,
             declared: str | None) -> tuple[pl.DataFrame, int, list[Problem]]:
    """The register as text columns under its headings, the source row of its first data row, and its bad rows."""
    name = str(path)
    head = _head(path)
    text = encoding.detect(name, head, declared, SAVE_AS)
    with encoding.as_utf8(name, path, text, SAVE_AS) as utf8:
        return _read(name, utf8, head if text.native else _head(utf8), expected, header_row)


def _head(path: Path) -> bytes:
    with path.open("rb") as f:
        return f.read(HEAD_BYTES)


def _read(name: str, path: Path, head: bytes, expected: headers.Expected,
          header_row: int | None) -> tuple[pl.DataFrame, int, list[Problem]]:
    if not head.removeprefix(BOM).strip():
        raise fail(name, None, None, "the register is empty")
    eol = CR if b"\n" not in head and b"\r" in head else LF
    scan = max(headers.SCAN_ROWS, header_row or 0)
    starts = _record_starts(head, eol, scan, whole=len(head) < HEAD_BYTES)
    if len(starts) <= scan and len(head) == HEAD_BYTES:  # rows longer than the head: the headings are further on
        head = path.read_bytes()
        starts = _record_starts(head, eol, scan, whole=True)
    rows = [_cells(head[start:end], eol) for start, end in itertools.pairwise(starts)]
    index = headers.choose(name, rows, expected, header_row)
    unread = headers.repeats(name, rows[index], expected, index + 1, headers.numbered)
    start = max(starts[index], len(BOM) if head.startswith(BOM) else 0)  # the rows above the headings are not data
    try:
        frame: pl.DataFrame | None = pl.read_csv(path, skip_lines=head.count(bytes([eol]), 0, start), infer_schema=False,
                                                 encoding="utf8", eol_char=chr(eol))
    except pl.exceptions.PolarsError:
        frame = None
    if frame is not None and _unquoted_commas(path, start) == (frame.width - 1) * (frame.height + 1):
        return frame.drop([frame.columns[i] for i in unread]), index + 2, []  # every row has the header's fields
    if frame is None:
        encoding.check(name, path, encoding.Encoding("utf-8"), SAVE_AS)
    del frame
    with path.open("rb") as f:
        f.seek(start)
        data = f.read()
    problems, keep, good = _bad_rows(name, data, eol, [str(c) for c in rows[index]], index + 1)
    if problems and not good:
        raise InputError(problems)  # no row left to assess
    body = data if keep is None else np.frombuffer(data, np.uint8)[keep].tobytes()
    del data
    frame = pl.read_csv(body, infer_schema=False, encoding="utf8", eol_char=chr(eol))
    return frame.drop([frame.columns[i] for i in unread]), index + 2, problems


def _record_starts(data: bytes, eol: int, records: int, whole: bool) -> list[int]:
    """The byte offsets at which the first `records` records of `data` start, and where the last of them ends (a
    record ends at a line break outside double quotes; the last one of the `whole` file, at its end)."""
    ends = [int(b) + 1 for b in _unquoted(np.frombuffer(data, dtype=np.uint8), eol)[:records]]
    if len(ends) < records and whole and len(data) > (ends[-1] if ends else 0):
        ends.append(len(data))  # the last record, with no line break after it
    return [0, *ends]


def _cells(record: bytes, eol: int) -> list[str]:
    """One CSV record's fields, as a header row would be read (for finding the headings only)."""
    text = record.decode("utf-8-sig", errors="replace").rstrip("\r\n")
    if eol == CR:
        text = text.replace("\r", "\n")  # a cell's line break, for the csv module
    return next(csv.reader(io.StringIO(text, newline="")), [])


def _unquoted(b: np.ndarray, byte: int) -> np.ndarray:
    """The positions of `byte` outside double quotes."""
    found, quotes = np.flatnonzero(b == byte), np.flatnonzero(b == QUOTE)
    return found[np.searchsorted(quotes, found) % 2 == 0] if quotes.size else found


def _unquoted_commas(path: Path, start: int) -> int:
    """The commas outside double quotes from byte `start` on, counted a chunk at a time as the file streams past."""
    total, inside = 0, False
    buffer = bytearray(CHUNK)
    with path.open("rb", buffering=0) as f:
        f.seek(start)
        while size := f.readinto(buffer):
            b = np.frombuffer(buffer, dtype=np.uint8, count=size)
            quotes = b == QUOTE
            if not inside and not quotes.any():
                total += int(np.count_nonzero(b == COMMA))
                continue
            q = np.flatnonzero(quotes)
            total += int(np.count_nonzero((np.searchsorted(q, np.flatnonzero(b == COMMA)) + inside) % 2 == 0))
            inside ^= q.size % 2 == 1
    return total


def _bad_rows(name: str, data: bytes, eol: int, headings: list[str],
             header_row: int) -> tuple[list[Problem], np.ndarray | None, int]:
    """The records of `data` (its header first, on file row `header_row`) that are not a row of the header's fields,
    each a problem naming its row; a mask of the bytes of the others (None when every record is good); and how many
    rows that are not blank are good.

    A line with an odd number of quotes opens a cell that a later such line closes, when the two make one record
    of the header's fields; otherwise its quote is a stray one, and the line is a bad row on its own: the rows after
    it are read as they are, not swallowed into its cell.
    """
    b = np.frombuffer(data, dtype=np.uint8)
    starts, ends = _lines(b, eol)
    width = len(headings)
    first = _joined(b, starts, ends, width)
    last = np.append(first[1:] - 1, len(starts) - 1)
    starts, ends = starts[first], ends[last]
    problems: list[Problem] = []
    bad, good = [], 0
    for lo in range(0, len(starts), BLOCK):
        shape = _Shape(b, starts[lo:lo + BLOCK], ends[lo:lo + BLOCK])
        wrong = shape.wrong(width)
        good += int(np.count_nonzero(~wrong & ~shape.blank)) - (lo == 0)  # the header is not a row
        records = np.flatnonzero(wrong)
        if lo == 0 and records[:1].tolist() == [0]:
            raise fail(name, header_row, None, "the header row's double quotes do not open and close its cells; "
                       "put a heading holding a comma in double quotes")
        bad.append(records + lo)
        problems += shape.problems(name, records, header_row + lo, width, headings)
    if not problems:
        return [], None, good
    refused = np.concatenate(bad)
    marks = np.zeros(b.size + 1, dtype=np.int8)  # +1 where a bad record starts, -1 after its line break
    np.add.at(marks, starts[refused], 1)
    np.add.at(marks, np.minimum(ends[refused] + 1, b.size), -1)
    return problems, np.cumsum(marks[:-1], dtype=np.int8) == 0, good


def _lines(b: np.ndarray, eol: int) -> tuple[np.ndarray, np.ndarray]:
    """Each line's first byte and the position of its line break (or the end); a last empty line is no line."""
    breaks = np.concatenate([np.flatnonzero(b[lo:lo + CHUNK] == eol) + lo for lo in range(0, max(b.size, 1), CHUNK)])
    starts = np.concatenate(([0], breaks + 1))
    ends = np.concatenate((breaks, [b.size]))
    if starts[-1] == b.size and len(starts) > 1:
        starts, ends = starts[:-1], ends[:-1]
    return starts, ends


def _joined(b: np.ndarray, starts: np.ndarray, ends: np.ndarray, width: int) -> np.ndarray:
    """The first line of each record: a line with an odd number of quotes joins the lines up to the next such line
    when together they are one well-quoted record of `width` fields (each pair of such lines is judged column-wise,
    then paired off in order)."""
    quotes = np.concatenate([_quotes(b, starts[lo:lo + BLOCK], ends[lo:lo + BLOCK]) for lo in range(0, len(starts), BLOCK)])
    odd = np.flatnonzero(quotes % 2 == 1)
    fits = np.zeros(len(odd), dtype=bool)  # lines odd[i] to odd[i + 1] make one record
    for first in (0, 1):  # pairs that do not overlap, judged together
        pairs = np.arange(first, len(odd) - 1, 2)
        pairs = pairs[odd[pairs + 1] - odd[pairs] <= LONGEST_CELL]
        for lo in range(0, len(pairs), BLOCK):
            judged = pairs[lo:lo + BLOCK]
            fits[judged] = ~_Shape(b, starts[odd[judged]], ends[odd[judged + 1]]).wrong(width)
    continued = np.zeros(len(starts), dtype=bool)
    i = 0
    while i < len(odd):
        if fits[i]:
            continued[odd[i] + 1:odd[i + 1] + 1] = True
            i += 2
        else:
            i += 1  # a stray quote: its line is a record, refused below
    return np.flatnonzero(~continued)


def _quotes(b: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """The number of double quotes in each line."""
    base = int(starts[0])
    q = np.flatnonzero(b[base:ends[-1]] == QUOTE) + base
    return np.searchsorted(q, ends) - np.searchsorted(q, starts)


class _Shape:
    """Records' fields and quotes, column-wise: how many fields each has (commas outside quotes, plus one), the
    first quote that neither opens a cell (at its start) nor closes one (at its end) nor is doubled inside one, and
    a quote left open at the record's end."""

    def __init__(self, b: np.ndarray, starts: np.ndarray, ends: np.ndarray):
        base, top = int(starts[0]), int(ends[-1])
        seg = b[base:top]
        self.starts, self.ends = starts, ends
        q = np.flatnonzero(seg == QUOTE) + base
        c = np.flatnonzero(seg == COMMA) + base
        first = np.searchsorted(q, starts)
        count = np.searchsorted(q, ends) - first
        q_rec = np.searchsorted(starts, q, "right") - 1
        c_rec = np.searchsorted(starts, c, "right") - 1
        outside = (np.searchsorted(q, c) - first[c_rec]) % 2 == 0
        self.commas = c[outside]
        self.fields = np.bincount(c_rec[outside], minlength=len(starts)) + 1
        opening = (np.arange(q.size) - first[q_rec]) % 2 == 0
        prev, after = b[np.maximum(q - 1, 0)], b[np.minimum(q + 1, b.size - 1)]
        record_end = ends[q_rec]
        opens_well = (q == starts[q_rec]) | (prev == COMMA) | (prev == QUOTE)
        closes_well = ((q + 1 >= record_end) | (after == COMMA) | (after == QUOTE)
                       | ((after == CR) & (q + 2 >= record_end)))
        misplaced = np.where(opening, ~opens_well, ~closes_well)
        self.misplaced = np.full(len(starts), -1)
        recs, at = np.unique(q_rec[misplaced], return_index=True)
        self.misplaced[recs] = q[misplaced][at]
        self.unclosed = np.where(count % 2 == 1, q[np.maximum(first + count - 1, 0)] if q.size else -1, -1)
        length = ends - starts
        self.blank = (length == 0) | ((length == 1) & (b[np.minimum(starts, b.size - 1)] == CR))

    def wrong(self, width: int) -> np.ndarray:
        """The records that are not a row of `width` fields (a blank line is a blank row, not a wrong one)."""
        return ~self.blank & ((self.fields != width) | (self.misplaced >= 0) | (self.unclosed >= 0))

    def problems(self, name: str, records: np.ndarray, first_row: int, width: int, headings: list[str]) -> list[Problem]:
        """What is wrong with each of `records` (record 0 on file row `first_row`): a quote in a cell, else the
        number of its fields."""
        misplaced = self.misplaced[records]
        at = np.where(misplaced >= 0, misplaced, self.unclosed[records])
        fields = np.searchsorted(self.commas, at) - np.searchsorted(self.commas, self.starts[records])  # the quote's
        found = []
        for r, quote, field, count, inside in zip(records.tolist(), at.tolist(), fields.tolist(),
                                                  self.fields[records].tolist(), (misplaced >= 0).tolist(), strict=True):
            if quote < 0:
                found.append(Problem(name, first_row + r, None, f"the row has {count} fields but the header has {width} "
                                     "(a comma or line break in a cell that is not in double quotes?)", FIELDS_FIX))
            else:
                found.append(Problem(name, first_row + r, headings[field] if field < width else None,
                                     MISPLACED if inside else UNCLOSED, QUOTE_FIX))
        return found
