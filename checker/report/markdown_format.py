"""A report Document as Markdown: for a wiki, a pull request or a council's own publishing tool.

Tables are GitHub tables with their numeric columns right-aligned and a total row in bold. Markdown carries
no pictures here (it writes no files), so a chart becomes a line naming it and saying what it shows.
"""

from __future__ import annotations

from checker.render import markdown_layout as md
from checker.report.model import Block, Bullets, Chart, Document, Heading, Paragraph, Table

EMPHASIS = {"body": "{}", "lead": "**{}**", "note": "*{}*"}


def render_markdown_document(doc: Document) -> str:
    lines = [f"# {md.text(doc.title)}", ""]
    if doc.subtitle:
        lines += [md.text(doc.subtitle), ""]
    lines += [f"- **{md.text(label)}:** {md.text(value)}" for label, value in doc.meta]
    for block in doc.blocks:
        lines += ["", *_block(block)]
    return "\n".join(lines) + "\n"


def _block(block: Block) -> list[str]:
    if isinstance(block, Heading):
        return [f"{'#' * min(max(block.level, 1), 6)} {md.text(block.text)}"]
    if isinstance(block, Paragraph):
        return [EMPHASIS.get(block.style, "{}").format(md.text(block.text))]
    if isinstance(block, Bullets):
        return [f"- {md.text(item)}" for item in block.items]
    if isinstance(block, Table):
        caption = [f"*{md.text(block.caption)}*", ""] if block.caption else []
        return caption + md.table(block.columns, block.rows, block.numeric, block.total_row)
    if isinstance(block, Chart):
        return [f"*Chart: {md.text(block.title).rstrip('.')}.* {md.text(block.alt)}"]
    raise TypeError(f"not a document block: {block!r}")
