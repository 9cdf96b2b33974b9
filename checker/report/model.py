"""A small document model for what a council publishes: Appendix 1, the annual report, governing-body updates.

Builders produce blocks; one renderer per format (Markdown, HTML, Word, and PDF through the HTML) lays them out,
so every format says the same thing. Blocks hold only figures, case references and the landlord's own published text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 2  # 1 is the document title's level; sections are 2, subsections 3


@dataclass(frozen=True)
class Paragraph:
    text: str
    style: str = "body"  # "body", "note" (smaller, for sources and caveats), or "lead" (a summary sentence)


@dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]


@dataclass(frozen=True)
class Quote:
    """Another's words quoted as they are, in one or more paragraphs (the form's introduction)."""

    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class Fields:
    """Labelled values a line, as the document's own metadata is shown (the form's sign-off)."""

    pairs: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Landscape:
    """The blocks after it go on landscape pages (the form's wide tables inside a portrait report)."""


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]  # a cell's lines are its paragraphs
    caption: str = ""
    numeric: tuple[int, ...] = ()  # indexes of columns to right-align (counts, percentages)
    total_row: bool = False  # the last row is a total, shown bold
    widths: tuple[float, ...] = ()  # each column's share of the page where they are fixed (less in all: a narrower table)
    linked: tuple[int, ...] = ()  # columns whose http(s) addresses are links (the documents cited as evidence)
    answer_column: int | None = None  # a column of Yes / No answers, shaded by answer (the form's Comply column)


@dataclass(frozen=True)
class Chart:
    """A chart with the text a screen reader needs, drawn (PNG bytes, deterministic for the same figures) only when
    a renderer asks for its picture: Markdown shows the text alone, so a Markdown report never loads matplotlib."""

    title: str
    draw: Callable[[], bytes]
    alt: str

    @cached_property
    def png(self) -> bytes:
        return self.draw()


Block = Heading | Paragraph | Bullets | Quote | Fields | Landscape | Table | Chart


@dataclass(frozen=True)
class Document:
    title: str
    subtitle: str
    meta: tuple[tuple[str, str], ...]  # landlord, period, Code, rules version, generated at...
    blocks: tuple[Block, ...] = field(default_factory=tuple)
    landscape: bool = False  # every page landscape (a form of wide tables), else portrait until a Landscape block
    footer: str = ""  # what the foot of every Word page says before its number
    description: str = ""  # what made the document: the Word file's comments

    @property
    def running_title(self) -> str:
        """Title – subtitle, for page headers and the browser tab."""
        return " – ".join(filter(None, (self.title, self.subtitle)))
