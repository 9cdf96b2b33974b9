"""Sets of row numbers that a register's problems name, as ascending numpy arrays (checker/errors.py Breach).

Why a module of its own: only a register with problems needs these, so a clean one is loaded without numpy.
"""

from __future__ import annotations

import gc
from dataclasses import replace

import numpy as np

from checker.errors import Breach, Found


def _rows(found: Found) -> np.ndarray:
    return np.asarray(found.rows if isinstance(found, Breach) else [found.row or 0], dtype=np.int64)


def rows_of(found: list[Found]) -> np.ndarray:
    """Every row the problems name, once each, ascending (a sort: numpy's unique hashes, slower on millions of rows)."""
    rows = np.sort(np.concatenate([_rows(p) for p in found])) if found else np.empty(0, dtype=np.int64)
    return rows[np.concatenate(([True], rows[1:] != rows[:-1]))] if len(rows) else rows


def not_again(found: list[Breach], known: list[Found]) -> list[Breach]:
    """The breaches less the cells already in `known` (a bad date is not reported again as out of order)."""
    out = []
    for breach in found:
        same = [p for p in known if p.field == breach.field]
        rows = np.setdiff1d(breach.rows, rows_of(same), assume_unique=True) if same else breach.rows
        if len(rows):
            out.append(replace(breach, rows=rows))
    return out


def skipped_rows(skipped: list[Found]) -> list[tuple[int, list[str]]]:
    """Each row the problems (as found) name, with its reasons ("field: message") by field, then as found. Rows with
    the same problems share one list: a million skipped rows hold a few lists, not a million."""
    if not skipped:
        return []
    order = sorted(skipped, key=lambda p: p.field or "")  # stable: as found within a field
    found = [_rows(p) for p in order]
    rows = rows_of(order)
    combination = np.zeros(len(rows), dtype=np.int64)  # rows with the same problems share a number
    for start in range(0, len(found), 62):  # a bit a problem, 62 to a word
        bits = np.zeros(len(rows), dtype=np.int64)
        for bit, mine in enumerate(found[start:start + 62]):
            bits[np.searchsorted(rows, mine)] |= 1 << bit
        _, word = np.unique(bits, return_inverse=True)
        _, combination = np.unique(combination * (word.max() + 1) + word, return_inverse=True)
    _, first, which = np.unique(combination, return_index=True, return_inverse=True)
    lists = np.empty(len(first), dtype=object)  # one list of reasons a set of problems, gathered a row by numpy
    for k, i in enumerate(first):
        lists[k] = [f"{p.field}: {p.message}" if p.field else p.message  # a row's shape has no field
                    for p, mine in zip(order, found, strict=True) if _holds(mine, rows[i])]
    collecting = gc.isenabled()
    gc.disable()  # a million new tuples would start the collector again and again, to find no cycle in them
    try:
        return list(zip(rows.tolist(), lists[which].tolist(), strict=True))
    finally:
        if collecting:
            gc.enable()


def _holds(rows: np.ndarray, row: int) -> bool:
    """Whether ascending `rows` holds `row`."""
    at = int(np.searchsorted(rows, row))
    return at < len(rows) and rows[at] == row
