"""The bad rows of a CSV's bytes, found column-wise with numpy: a row whose fields do not match the header's, or
whose double quotes do not open and close cells. Only a file that polars could not read whole comes here, so numpy
loads only for such a file.
"""

from __future__ import annotations

import numpy as np

from checker.errors import Problem, fail
from checker.load.csvfile import BLOCK, CHUNK, COMMA, CR, FIELDS_FIX, LONGEST_CELL, MISPLACED, QUOTE, QUOTE_FIX, UNCLOSED


def bad_rows(name: str, data: bytes, eol: int, headings: list[str],
             header_row: int) -> tuple[list[Problem], bytes, int]:
    """The records of `data` (its header first, on file row `header_row`) that are not a row of the header's fields,
    each a problem naming its row; the bytes of the others (the header and the good rows); and how many rows that
    are not blank are good.

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
        return [], data, good
    refused = np.concatenate(bad)
    marks = np.zeros(b.size + 1, dtype=np.int8)  # +1 where a bad record starts, -1 after its line break
    np.add.at(marks, starts[refused], 1)
    np.add.at(marks, np.minimum(ends[refused] + 1, b.size), -1)
    return problems, b[np.cumsum(marks[:-1], dtype=np.int8) == 0].tobytes(), good


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
