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
from collections.abc import Collection
from pathlib import Path

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


def read_csv(path: Path, expected: headers.Expected, header_row: int | None, declared: str | None,
             references: Collection[str] = ()) -> tuple[pl.DataFrame, int, list[Problem]]:
    """The register as text columns under its headings, the source row of its first data row, and its bad rows.
    Columns are read as categories (a code a cell: a register repeats its few words a million times), all but those
    headed `references` (a text a row)."""
    name = str(path)
    head = _head(path)
    text = encoding.detect(name, head, declared, SAVE_AS)
    with encoding.as_utf8(name, path, text, SAVE_AS) as utf8:
        return _read(name, utf8, head if text.native else _head(utf8), expected, header_row, references)


def _head(path: Path) -> bytes:
    with path.open("rb") as f:
        return f.read(HEAD_BYTES)


def _read(name: str, path: Path, head: bytes, expected: headers.Expected, header_row: int | None,
          references: Collection[str]) -> tuple[pl.DataFrame, int, list[Problem]]:
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
    codes = {heading: pl.Utf8 if heading in references else pl.Categorical for heading in dict.fromkeys(map(str, rows[index]))}
    try:
        frame: pl.DataFrame | None = pl.read_csv(path, skip_lines=head.count(bytes([eol]), 0, start), infer_schema=False,
                                                 encoding="utf8", eol_char=chr(eol), schema_overrides=codes)
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
    from checker.load.csvrows import bad_rows

    problems, body, good = bad_rows(name, data, eol, [str(c) for c in rows[index]], index + 1)
    if problems and not good:
        raise InputError(problems)  # no row left to assess
    del data
    frame = pl.read_csv(body, infer_schema=False, encoding="utf8", eol_char=chr(eol), schema_overrides=codes)
    return frame.drop([frame.columns[i] for i in unread]), index + 2, problems


def _record_starts(data: bytes, eol: int, records: int, whole: bool) -> list[int]:
    """The byte offsets at which the first `records` records of `data` start, and where the last of them ends (a
    record ends at a line break outside double quotes; the last one of the `whole` file, at its end)."""
    ends: list[int] = []
    line, quotes, at = bytes([eol]), 0, 0
    while len(ends) < records and (end := data.find(line, at)) >= 0:
        quotes += data.count(b'"', at, end)
        at = end + 1
        if quotes % 2 == 0:
            ends.append(at)
    if len(ends) < records and whole and len(data) > (ends[-1] if ends else 0):
        ends.append(len(data))  # the last record, with no line break after it
    return [0, *ends]


def _cells(record: bytes, eol: int) -> list[str]:
    """One CSV record's fields, as a header row would be read (for finding the headings only)."""
    text = record.decode("utf-8-sig", errors="replace").rstrip("\r\n")
    if eol == CR:
        text = text.replace("\r", "\n")  # a cell's line break, for the csv module
    return next(csv.reader(io.StringIO(text, newline="")), [])


def _unquoted_commas(path: Path, start: int) -> int:
    """The commas outside double quotes from byte `start` on, counted a chunk at a time as the file streams past
    (numpy only for a chunk that holds quotes, so that a small register without any does not load it)."""
    total, inside = 0, False
    buffer = bytearray(min(CHUNK, path.stat().st_size - start + 1))  # a small file's size, not 8 MB to zero and page in
    with path.open("rb", buffering=0) as f:
        f.seek(start)
        while size := f.readinto(buffer):
            if not inside and buffer.find(b'"', 0, size) < 0:
                total += buffer.count(b",", 0, size)
                continue
            import numpy as np

            b = np.frombuffer(buffer, dtype=np.uint8, count=size)
            q = np.flatnonzero(b == QUOTE)
            total += int(np.count_nonzero((np.searchsorted(q, np.flatnonzero(b == COMMA)) + inside) % 2 == 0))
            inside ^= q.size % 2 == 1
    return total
