"""What chc's Markdown files share: running text and GitHub tables, the data's text escaped as HTML escapes it.

Whatever a policy, a register or an input file holds (a theme, a service area, an action, an owner, a policy's
words) is shown as written and never read as markup: no `|` splits a table, no `![x](...)` shows an image, no
`[x](...)` makes a link, no `<tag>` or `&entity;` reaches the page, and no `#`, `>`, `-` or `1.` at the start makes
a heading, a quote or a list. A cell cannot hold a line break, so its paragraphs are joined with `<br>`, the only
markup the data ever carries besides chc's own (`Markdown`, such as `strong`).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable

# CommonMark's and GitHub's inline markup: escapes, code, emphasis, links and images, strikethrough, table cells,
# maths; `_` only at the edge of a word, where it can open or close emphasis (damp_mould stays as it is)
INLINE = re.compile(r"[\\`*\[\]~|$]|(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])")
ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")  # &amp; &#124; &copy;: a bare & is no markup
# what starts a block at the start of a line: a heading, a quote, a list item, a rule (---); 6.2 or -5 starts none
BLOCK = re.compile(r"^(?=#{1,6}(?:\s|$)|[+-](?:\s|$)|--|>)|^[0-9]{1,9}(?=[.)](?:\s|$))")


class Markdown(str):
    """Text chc wrote as Markdown itself (its own emphasis): `text` and `cell` pass it as it is."""


def strong(value: str) -> Markdown:
    """The text in bold, escaped."""
    return Markdown(f"**{inline(value)}**")


def table(headings: Iterable[str], rows: Iterable[Iterable[str]], numeric: Collection[int] = (),
          total_row: bool = False) -> list[str]:
    """A GitHub table; `numeric` columns are right-aligned, and with `total_row` the last row is bold."""
    head = [cell(h) for h in headings]
    body = [[cell(c) for c in row] for row in rows]
    if total_row and body:
        body[-1] = [f"**{c}**" if c else "" for c in body[-1]]
    rule = "|" + "|".join("---:" if i in numeric else "---" for i in range(len(head))) + "|"
    return ["| " + " | ".join(head) + " |", rule, *("| " + " | ".join(cells) + " |" for cells in body)]


def text(value: str) -> str:
    """Running text that starts its line (a paragraph, a list item, a quote): one line, shown as written."""
    return value if isinstance(value, Markdown) else BLOCK.sub(lambda m: f"{m.group()}\\", inline(value))


def inline(value: str) -> str:
    """Text within a line (a heading's, after a label): one line, every inline markup escaped."""
    return value if isinstance(value, Markdown) else INLINE.sub(r"\\\g<0>", ENTITY.sub("&amp;", " ".join(value.split())).replace("<", "&lt;"))


def cell(value: str) -> str:
    """A table cell: paragraphs become `<br>`, each shown as written (a cell starts no block)."""
    return value if isinstance(value, Markdown) else "<br>".join(inline(p) for p in value.splitlines() if p.strip())
