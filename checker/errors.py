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

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(str(self.row))
        if self.field:
            where.append(self.field)
        return f"{':'.join(where)}: {self.message}"


class InputError(Exception):
    """Bad input: the CLI prints every problem and exits with status 2."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def in_order(problems: Iterable[Problem]) -> list[Problem]:
    """By row (or line), then field: the order a person reads the file in."""
    return sorted(problems, key=lambda p: (p.row or 0, p.field or ""))


def os_reason(err: OSError) -> str:
    """What the system said went wrong with a file, as a clause of one of chc's messages ("no such file or directory")."""
    return (err.strerror or "the system refused").rstrip(".").lower()


def not_utf8(name: str, data: bytes, err: UnicodeDecodeError, save_as: str) -> InputError:
    """Text that is not UTF-8, told by the line and the byte where decoding stopped, with how to save it instead."""
    line = data.count(b"\n", 0, err.start) + 1
    return fail(name, line, None, f"the file is not UTF-8 text (byte 0x{data[err.start]:02X}); save it as {save_as}")


def fail(file: str, row: int | None, field: str | None, message: str) -> InputError:
    """An InputError holding a single problem."""
    return InputError([Problem(file, row, field, message)])
