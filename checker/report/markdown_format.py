"""A Document (Appendix 1 or a report) as Markdown: for a wiki, a pull request or a council's own publishing tool.

Tables are GitHub tables (a cell's paragraphs joined with `<br>`) with their numeric columns right-aligned and a
total row in bold. Markdown carries no pictures here (it writes no files), so a chart becomes a line naming it and
saying what it shows; nor pages, so a Landscape block says nothing.
"""

from __future__ import annotations

from checker.render import markdown_layout as md
from checker.report.model import Block, Bullets, Chart, Document, Fields, Heading, Landscape, Paragraph, Quote, Table

EMPHASIS = {"body": "{}", "lead": "**{}**", "note": "*{}*"}


def render_markdown_document(doc: Document) -> str:
    lines = [f"# {md.inline(doc.title)}", ""]
    if doc.subtitle:
        lines += [md.text(doc.subtitle), ""]
    lines += _fields(doc.meta)
    for block in doc.blocks:
        if not isinstance(block, Landscape):  # Markdown has no pages
            lines += ["", *_block(block)]
    return "\n".join(lines) + "\n"


def _block(block: Block) -> list[str]:
    if isinstance(block, Heading):
        return [f"{'#' * min(max(block.level, 1), 6)} {md.inline(block.text)}"]
    if isinstance(block, Paragraph):
        return [EMPHASIS.get(block.style, "{}").format(md.text(block.text))]
    if isinstance(block, Bullets):
        return [f"- {md.text(item)}" for item in block.items]
    if isinstance(block, Quote):
        return [line for i, p in enumerate(block.paragraphs) for line in [">"] * bool(i) + [f"> {md.text(p)}"]]
    if isinstance(block, Fields):
        return _fields(block.pairs)
    if isinstance(block, Table):
        caption = [f"*{md.inline(block.caption)}*", ""] if block.caption else []
        return caption + md.table(block.columns, block.rows, block.numeric, block.total_row)
    if isinstance(block, Chart):
        return [f"*Chart: {md.inline(block.title).rstrip('.')}.* {md.inline(block.alt)}"]
    raise TypeError(f"not a document block: {block!r}")


def _fields(pairs: tuple[tuple[str, str], ...]) -> list[str]:
    return [f"- **{md.inline(label)}:** {md.inline(value)}" for label, value in pairs]
