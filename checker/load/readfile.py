"""Read an input file only when it is a regular file of a bounded size, both checked before a byte is read.

A device (/dev/zero), a pipe (a FIFO blocks until someone writes) or a folder is refused by name, never read.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from checker.errors import fail, os_reason


def regular_file(path: Path, limit: int | None = None, kind: str = "inputs of this kind") -> int:
    """The file's size, after refusing anything but a regular file of at most `limit` bytes (`kind`: what the
    limit applies to, for the message)."""
    name = str(path)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise fail(name, None, None, "no such file") from None
    except OSError as err:
        raise fail(name, None, None, f"cannot read the file: {os_reason(err)}") from None
    if stat.S_ISDIR(info.st_mode):
        raise fail(name, None, None, "is a folder, not a file")
    if not stat.S_ISREG(info.st_mode):
        raise fail(name, None, None, "is not a regular file (a device or a pipe?); chc reads only files")
    if limit is not None and info.st_size > limit:
        raise fail(name, None, None, f"the file is {info.st_size:,} bytes; {kind} are limited to {limit:,}")
    return info.st_size


def read_bytes(path: Path, limit: int | None = None, kind: str = "inputs of this kind") -> bytes:
    """The bytes of a regular file of at most `limit` bytes (see regular_file)."""
    regular_file(path, limit, kind)
    try:
        return path.read_bytes()
    except OSError as err:
        raise fail(str(path), None, None, f"cannot read the file: {os_reason(err)}") from None
