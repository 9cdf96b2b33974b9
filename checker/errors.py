"""Input problems, collected in one pass and reported together as `file:row:field: message`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    import numpy as np


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where it is (file, row or line, field) and what is wrong."""

    file: str
    row: int | None
    field: str | None
    message: str
    fix: str | None = None  # what to do about it: the column to add, the mapping line to write, the flag to pass

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(str(self.row))
        if self.field:
            where.append(self.field)
        return f"{':'.join(where)}: {self.message}" + (f"; {self.fix}" if self.fix else "")


@dataclass(frozen=True, eq=False)
class Breach:
    """One problem in many rows of a field, found column-wise: the rows are one array (ascending), never a Problem
    each, so that a register with a million bad cells costs an array of row numbers, not a million objects."""

    file: str
    field: str | None
    message: str
    fix: str | None
    rows: np.ndarray  # row numbers, ascending (numpy, imported only where problems are found column-wise)

    @property
    def row(self) -> int:
        """The first row, where a reader meets the problem first."""
        return int(self.rows[0])

    def problems(self) -> list[Problem]:
        return [Problem(self.file, int(row), self.field, self.message, self.fix) for row in self.rows]


Found = Problem | Breach


class InputError(Exception):
    """Bad input: the CLI prints every problem and exits with status 2. `by_row`: the problems, listed as found, are
    told in row order (a register's), not as listed."""

    def __init__(self, found: Sequence[Found], by_row: bool = False):
        super().__init__(found)
        self.found, self.by_row = list(found), by_row

    @property
    def listed(self) -> list[Found]:
        """The problems in the order they are told."""
        return in_order(self.found) if self.by_row else self.found

    @cached_property
    def problems(self) -> list[Problem]:
        """Every problem on its own (a Breach as a Problem a row), in the order they are told."""
        each = [q for p in self.found for q in (p.problems() if isinstance(p, Breach) else [p])]
        return in_order(each) if self.by_row else each

    @property
    def count(self) -> int:
        """How many problems: a Breach counts one a row."""
        return sum(len(p.rows) if isinstance(p, Breach) else 1 for p in self.found)

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


SHOWN_ROWS = 5


def grouped(problems: Sequence[Found]) -> list[str]:
    """One line per file, field and problem, in the order first met: the rows it is in counted, the first few named
    ("in 33 rows: 2, 3, 4, 5, 6 and 28 more"), then the fix once, not one line per row."""
    groups: dict[tuple[str, str | None, str, str | None], list[Found]] = {}
    for p in problems:
        groups.setdefault((p.file, p.field, p.message, p.fix), []).append(p)
    lines = []
    for (file, field, message, fix), found in groups.items():
        count = sum(len(p.rows) if isinstance(p, Breach) else 1 for p in found)
        if count == 1 or any(isinstance(p, Problem) and p.row is None for p in found):
            lines += [str(q) for p in found for q in (p.problems() if isinstance(p, Breach) else [p])]
            continue
        rows = _first_rows(found, SHOWN_ROWS)
        shown = ", ".join(map(str, rows)) + (f" and {count - SHOWN_ROWS:,} more" if count > SHOWN_ROWS else "")
        where = ":".join(w for w in (file, field) if w)
        lines.append(f"{where}: {message}, in {count:,} rows ({shown})" + (f"; {fix}" if fix else ""))
    return lines


def _first_rows(found: list[Found], n: int) -> list[int]:
    """The first n rows of a group in the order met: the problems' rows as listed, or, with a Breach among them (the
    list is then in row order), each one's first n merged."""
    rows = [int(r) for p in found for r in (p.rows[:n] if isinstance(p, Breach) else [p.row or 0])]
    return sorted(rows)[:n] if any(isinstance(p, Breach) for p in found) and len(found) > 1 else rows[:n]


F = TypeVar("F", Problem, Breach, Found)


def in_order(problems: Iterable[F]) -> list[F]:
    """By row (or line), then field: the order a person reads the file in (a Breach where its first row is)."""
    return sorted(problems, key=lambda p: (p.row or 0, p.field or ""))


def os_reason(err: OSError) -> str:
    """What the system said went wrong with a file, as a clause of one of chc's messages ("no such file or directory")."""
    return (err.strerror or "the system refused").rstrip(".").lower()


def fail(file: str, row: int | None, field: str | None, message: str) -> InputError:
    """An InputError holding a single problem."""
    return InputError([Problem(file, row, field, message)])
