"""Input problems, collected in one pass and reported together as `file:row:field: message`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


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


class InputError(Exception):
    """Bad input: the CLI prints every problem and exits with status 2."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


SHOWN_ROWS = 5


def grouped(problems: list[Problem]) -> list[str]:
    """One line per file, field and problem, in the order first met: the rows it is in counted, the first few named
    ("in 33 rows: 2, 3, 4, 5, 6 and 28 more"), then the fix once, not one line per row."""
    groups: dict[tuple[str, str | None, str, str | None], list[Problem]] = {}
    for p in problems:
        groups.setdefault((p.file, p.field, p.message, p.fix), []).append(p)
    lines = []
    for (file, field, message, fix), found in groups.items():
        rows = [p.row for p in found if p.row is not None]
        if len(found) == 1 or len(rows) != len(found):
            lines += [str(p) for p in found]
            continue
        shown = ", ".join(map(str, rows[:SHOWN_ROWS])) + (f" and {len(rows) - SHOWN_ROWS:,} more" if len(rows) > SHOWN_ROWS else "")
        where = ":".join(w for w in (file, field) if w)
        lines.append(f"{where}: {message}, in {len(rows):,} rows ({shown})" + (f"; {fix}" if fix else ""))
    return lines


def in_order(problems: Iterable[Problem]) -> list[Problem]:
    """By row (or line), then field: the order a person reads the file in."""
    return sorted(problems, key=lambda p: (p.row or 0, p.field or ""))


def os_reason(err: OSError) -> str:
    """What the system said went wrong with a file, as a clause of one of chc's messages ("no such file or directory")."""
    return (err.strerror or "the system refused").rstrip(".").lower()


def fail(file: str, row: int | None, field: str | None, message: str) -> InputError:
    """An InputError holding a single problem."""
    return InputError([Problem(file, row, field, message)])
