"""What chc's Markdown files share: running text and GitHub tables whose only markup is the `<br>` a cell needs.

A cell cannot hold a line break or an unescaped `|`, so its paragraphs are joined with `<br>`; `<` is escaped
everywhere so that `<br>` is the only markup the data ever carries.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable


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
    """Running text: one line, and no markup of its own."""
    return " ".join(value.replace("<", "&lt;").split())


def cell(value: str) -> str:
    """A table cell: paragraphs become `<br>`, `|` is escaped, other white space collapses."""
    return "<br>".join(text(p) for p in value.splitlines() if p.strip()).replace("|", "\\|")
