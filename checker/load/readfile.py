"""Read an input file only when it is a regular file of a bounded size, both checked before a byte is read.

A device (/dev/zero), a pipe (a FIFO blocks until someone writes) or a folder is refused by name, never read; a
zip container (a workbook, a Word form) is opened only when its parts unpack within bounds.
"""

from __future__ import annotations

import os
import stat
import zipfile
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


# a workbook or a Word document is a zip of XML: its parts are checked before it is opened, so that a small file
# cannot unpack into gigabytes (such parts compress 5 to 20 times; more than 100 times is a bomb, not a document)
MAX_UNPACKED = 2 * 1024**3
MAX_RATIO = 100


def check_zip(path: Path, kind: str, unreadable: str, too_large: str, bomb: str) -> None:
    """Refuse a zip container (`kind`: "workbook") that is not one, or that unpacks too far; `too_large` and `bomb`
    say what to do instead."""
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError):
        raise fail(str(path), None, None, unreadable) from None
    unpacked = sum(part.file_size for part in parts)
    if unpacked > MAX_UNPACKED:
        raise fail(str(path), None, None, f"the {kind} unpacks to {unpacked:,} bytes; chc opens {kind}s of up to "
                   f"{MAX_UNPACKED:,} bytes unpacked ({too_large})")
    for part in parts:
        if part.file_size > 1024**2 and part.file_size > MAX_RATIO * max(part.compress_size, 1):
            raise fail(str(path), None, None, f"part {part.filename} of the {kind} unpacks to "
                       f"{part.file_size // max(part.compress_size, 1):,} times its size; chc opens no part that "
                       f"unpacks more than {MAX_RATIO} times ({bomb})")
