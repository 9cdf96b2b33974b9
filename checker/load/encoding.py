"""How a register's text is encoded: UTF-8, with or without a byte-order mark, unless a byte-order mark says UTF-16
or UTF-32, or the user declares a Windows or Latin-1 file (--encoding cp1252). Text that is none of these is
refused at its first line that is not, never read as something it is not.

Only UTF-8 is read as it is, from its path; any other encoding is transcoded to UTF-8 a chunk at a time, into a
temporary file, so that a large file is never held whole.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from tempfile import TemporaryDirectory

from checker.errors import InputError, fail

# byte-order marks, the longer first: UTF-32 LE begins with UTF-16 LE's mark
MARKS = ((b"\x00\x00\xfe\xff", "utf-32-be"), (b"\xff\xfe\x00\x00", "utf-32-le"), (b"\xef\xbb\xbf", "utf-8"),
         (b"\xfe\xff", "utf-16-be"), (b"\xff\xfe", "utf-16-le"))
DECLARED = ("utf-8", "cp1252", "latin-1")  # what --encoding accepts: UTF-8 (the default) or a Windows "CSV" export
CHUNK = 8 * 1024**2


@dataclass(frozen=True)
class Encoding:
    """A file's encoding: the codec to read it with, and the bytes of its byte-order mark."""

    codec: str
    mark: int = 0

    @property
    def native(self) -> bool:
        """Read as it is (polars reads UTF-8 and skips its mark); any other encoding is transcoded first."""
        return self.codec == "utf-8"


def detect(name: str, head: bytes, declared: str | None, save_as: str) -> Encoding:
    """The encoding of a file that begins with `head`: its byte-order mark's, else the one declared, else UTF-8.
    NUL bytes without a mark are UTF-16 or UTF-32 that lost its mark (or not text): refused, never misread."""
    for mark, codec in MARKS:
        if head.startswith(mark):
            return Encoding(codec, len(mark))
    if b"\x00" in head:
        line = _line(head[:head.index(b"\x00")].decode("latin-1"))
        raise fail(name, line, None, "the file holds NUL bytes: it is UTF-16 or UTF-32 text without its byte-order mark, "
                   f"or not text at all; save it as {save_as}")
    return Encoding(declared or "utf-8")


def undecodable(name: str, line: int, byte: int, codec: str, save_as: str) -> InputError:
    """Text its encoding cannot decode, told by its line and the byte where decoding stopped, with what to do."""
    if codec != "utf-8":
        return fail(name, line, None, f"the file is not {codec} text (byte 0x{byte:02X}); save it as {save_as}")
    return fail(name, line, None, f"the file is not UTF-8 text (byte 0x{byte:02X}); save it as {save_as}, or, if it was "
                "saved as plain 'CSV' on Windows, pass --encoding cp1252 (--encoding latin-1 for ISO 8859-1)")


def decode(name: str, data: bytes, encoding: Encoding, save_as: str) -> str:
    """A whole file's text (a JSON register is read whole)."""
    try:
        return data[encoding.mark:].decode(encoding.codec)
    except UnicodeDecodeError as err:
        seen = err.object[:err.start].decode(encoding.codec, errors="replace")
        raise undecodable(name, _line(seen), err.object[err.start], encoding.codec, save_as) from None


def check(name: str, path: Path, encoding: Encoding, save_as: str) -> None:
    """Refuse a file its encoding cannot decode, at its first bad line."""
    for _ in _decoded(name, path, encoding, save_as):
        pass


@contextmanager
def as_utf8(name: str, path: Path, encoding: Encoding, save_as: str) -> Iterator[Path]:
    """The file as UTF-8: itself if it is UTF-8, else a transcoded temporary copy without a byte-order mark,
    removed on leaving."""
    if encoding.native:
        yield path
        return
    with TemporaryDirectory(prefix="chc-") as folder:
        copy = Path(folder) / path.name
        with copy.open("wb") as target:
            for text in _decoded(name, path, encoding, save_as):
                target.write(text.encode("utf-8"))
        yield copy


def _decoded(name: str, path: Path, encoding: Encoding, save_as: str) -> Iterator[str]:
    """The file's text a chunk at a time; the first byte the encoding cannot decode is refused with its line."""
    decoder = codecs.getincrementaldecoder(encoding.codec)()
    lines = {"\n": 0, "\r": 0}  # the line breaks decoded so far
    with path.open("rb") as source:
        source.seek(encoding.mark)
        while True:
            chunk = source.read(CHUNK)
            try:
                text = decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as err:
                seen = err.object[:err.start].decode(encoding.codec, errors="replace")
                ending = "\n" if lines["\n"] or "\n" in seen else "\r"
                raise undecodable(name, lines[ending] + seen.count(ending) + 1, err.object[err.start], encoding.codec,
                                  save_as) from None
            for ending in lines:
                lines[ending] += text.count(ending)
            yield text
            if not chunk:
                return


def _line(text: str) -> int:
    """The line a text ends on: lines end with LF, or with CR in a text with no LF (an old Mac export)."""
    return text.count("\n" if "\n" in text else "\r") + 1
