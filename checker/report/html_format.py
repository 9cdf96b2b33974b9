"""A Document (Appendix 1 or a report) as one standalone HTML file that prints on A4, portrait or landscape.

Everything is inline: the styles, and each chart as a PNG data URI with its alt text, so nothing is fetched
and there are no scripts. Every piece of text goes through html.escape; the only markup made from the data is
a link for an http(s) address in a linked column (a document cited as evidence). Printed, a table repeats its
header row on each page and never splits a row, a chart is never split, a heading stays with what follows it,
and the blocks after a Landscape block go on landscape pages. A Yes / No answer is shaded and says its answer
in words too, so it reads in black and white.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
from html import escape

from checker.render.appendix import COLOURS
from checker.render.html_layout import TABLE_CSS, head, meta_table, page_css, page_footer, title
from checker.render.pdf import html_to_pdf
from checker.report import charts
from checker.report.model import Block, Bullets, Chart, Document, Fields, Heading, Landscape, Paragraph, Quote, Table

CSS = """\
@page wide { size: A4 landscape; }
.landscape { page: wide; }
h3 { font-size: 11pt; margin: 16px 0 4px; }
h4, h5, h6 { font-size: 10pt; margin: 12px 0 4px; }
h3, h4, h5, h6 { break-after: avoid; page-break-after: avoid; }
.subtitle { font-size: 13pt; margin: 0 0 10px; }
""" + TABLE_CSS + """\
table.data { table-layout: auto; }
.data td { overflow-wrap: break-word; }
caption { text-align: left; font-weight: bold; padding: 0 0 4px; }
.n { text-align: right; width: 6em; }
td.n { white-space: nowrap; }
tr.total td { font-weight: bold; }
.lead { font-weight: bold; }
.note { font-size: 9pt; color: #333; }
blockquote { border-left: 4px solid #999; margin: 0 0 6px; padding: 2px 12px; }
blockquote p { margin: 0 0 6px; }
a { color: #0b3d91; }
figure { margin: 12px 0; break-inside: avoid; page-break-inside: avoid; }
figure img { display: block; max-width: 100%; height: auto; }
figcaption { font-size: 9pt; font-weight: bold; margin-top: 4px; }
.form th { font-size: 9pt; }
.answer { font-weight: bold; text-align: center; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
@media print { body { padding: 0; max-width: none; } a { color: inherit; } .form { font-size: 9pt; } }
""" + "".join(f".answer.{answer.lower()} {{ background: #{fill}; color: #{ink}; }}\n" for answer, (fill, ink) in COLOURS.items())
NUMERIC = ' class="n"'
URL = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:)]")
TOTAL = ' class="total"'


def render_pdf_document(doc: Document, generated_at: dt.datetime) -> bytes:
    """The same document as a PDF (checker.render.pdf)."""
    return html_to_pdf(render_html_document(doc), generated_at)


def render_html_document(doc: Document) -> str:
    page = page_css("landscape", "1400px") if doc.landscape else page_css("portrait", "860px")
    parts = [
        *head(doc.running_title, "\n" + page + CSS + page_footer(doc.running_title)),
        "<header>",
        title(doc.title),
        *([f'<p class="subtitle">{escape(doc.subtitle)}</p>'] if doc.subtitle else []),
        *meta_table(doc.meta),
        "</header>",
        "<main>",
        *(line for block in doc.blocks for line in _block(block)),
        *(["</div>"] if any(isinstance(block, Landscape) for block in doc.blocks) else []),
        "</main>",
        "</body>",
        "</html>",
    ]
    return "\n".join(parts) + "\n"


def _block(block: Block) -> list[str]:
    if isinstance(block, Heading):
        level = min(max(block.level, 1), 6)
        return [f"<h{level}>{escape(block.text)}</h{level}>"]
    if isinstance(block, Paragraph):
        style = f' class="{escape(block.style)}"' if block.style != "body" else ""
        return [f"<p{style}>{escape(block.text)}</p>"]
    if isinstance(block, Bullets):
        return ["<ul>", *(f"<li>{escape(item)}</li>" for item in block.items), "</ul>"]
    if isinstance(block, Quote):
        return ["<blockquote>", *(f"<p>{escape(p)}</p>" for p in block.paragraphs), "</blockquote>"]
    if isinstance(block, Fields):
        return meta_table(block.pairs)
    if isinstance(block, Landscape):  # closed at the end of <main>: a document turns landscape once
        return ['<div class="landscape">']
    if isinstance(block, Table):
        return _table(block)
    if isinstance(block, Chart):
        src = "data:image/png;base64," + base64.b64encode(block.png).decode("ascii")
        return ["<figure>", f'<img src="{src}" alt="{escape(block.alt)}" style="width: {charts.WIDTH_CM:g}cm">',
                f"<figcaption>{escape(block.title)}</figcaption>", "</figure>"]
    raise TypeError(f"not a document block: {block!r}")


def _table(table: Table) -> list[str]:
    def cls(tag: str, i: int, value: str) -> str:
        if i in table.numeric:
            return NUMERIC
        return f' class="answer {value.lower()}"' if tag == "td" and i == table.answer_column and value in COLOURS else ""

    def row(tag: str, values: tuple[str, ...], attrs: str = "") -> str:
        scope = ' scope="col"' if tag == "th" else ""
        return f"<tr{attrs}>" + "".join(
            f"<{tag}{scope}{cls(tag, i, v)}>{_lines(v, tag == 'td' and i in table.linked)}</{tag}>" for i, v in enumerate(values)) + "</tr>"

    last = len(table.rows) - 1
    caption = [f"<caption>{escape(table.caption)}</caption>"] if table.caption else []
    share = sum(table.widths) or 1.0
    fixed = ["<colgroup>", *(f'<col style="width: {100 * w / share:.4g}%">' for w in table.widths), "</colgroup>"] if table.widths else []
    narrow = f' style="width: {100 * share:.4g}%"' if share < 0.99 else ""
    return [f'<table class="{"form" if table.widths else "data"}"{narrow}>', *caption, *fixed, f"<thead>{row('th', table.columns)}</thead>", "<tbody>",
            *(row("td", values, TOTAL if table.total_row and n == last else "") for n, values in enumerate(table.rows)),
            "</tbody>", "</table>"]


def _lines(text: str, links: bool) -> str:
    """A cell's text escaped, each line a paragraph when it has several; with `links`, http(s) addresses are links."""
    lines = [_linked(line) if links else escape(line) for line in text.splitlines() if line.strip()]
    return "".join(lines) if len(lines) < 2 else "".join(f"<p>{line}</p>" for line in lines)


def _linked(text: str) -> str:
    """Escape text, making each http(s) address a link (links are followed only when a reader clicks)."""
    out, at = [], 0
    for match in URL.finditer(text):
        url = match.group()
        out += [escape(text[at:match.start()]), f'<a href="{escape(url)}">{escape(url)}</a>']
        at = match.end()
    out.append(escape(text[at:]))
    return "".join(out)
