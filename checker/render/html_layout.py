"""What chc's printable HTML files share: the A4 page with its footer, the type, the headings and the tables.

Each file puts these rules in its own inline <style>, so it stays one standalone file. Tables repeat their
header row on every printed page and never split a row; a heading stays with what follows it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from html import escape

_TYPE_CSS = """* { box-sizing: border-box; }
html { font: 10pt/1.35 Arial, "Helvetica Neue", Helvetica, sans-serif; color: #111; background: #fff; }
"""
_HEADING_CSS = """h1 { font-size: 18pt; margin: 0 0 4px; }
.nowrap { white-space: nowrap; }
h2 { font-size: 13pt; margin: 22px 0 6px; break-after: avoid; page-break-after: avoid; }
"""
TABLE_CSS = """table { width: 100%; border-collapse: collapse; table-layout: fixed; margin: 0 0 8px; }
th, td { border: 1px solid #777; padding: 4px 6px; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
th { background: #e3e3e3; font-weight: bold; overflow-wrap: normal; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
td p { margin: 0 0 4px; }
td p:last-child { margin-bottom: 0; }
.meta { width: auto; max-width: 100%; table-layout: auto; }
.meta th { width: 14em; background: #f2f2f2; }
"""


def page_css(orientation: str, max_width: str) -> str:
    """An A4 page in `orientation` numbered "Page X of Y" at its foot; on screen, a column at most `max_width` wide."""
    return (f"@page {{ size: A4 {orientation}; margin: 12mm 12mm 14mm;\n"
            '  @bottom-right { content: "Page " counter(page) " of " counter(pages); font: 8pt Arial, sans-serif; } }\n'
            + _TYPE_CSS + f"body {{ margin: 0 auto; padding: 16px; max-width: {max_width}; }}\n" + _HEADING_CSS)


PERIOD = re.compile(r"\b\d{4}-\d{2}(?:-Q\d)?\b")


def title(text: str) -> str:
    """The document's <h1>, a period such as 2023-24 kept on one line (a browser would break it at the hyphen)."""
    return "<h1>" + PERIOD.sub(lambda m: f'<span class="nowrap">{m.group()}</span>', escape(text)) + "</h1>"


def head(title: str, css: str) -> list[str]:
    """The lines up to <body>: British English, UTF-8, a viewport for phones, the title and the inline styles."""
    return ["<!DOCTYPE html>", '<html lang="en-GB">', "<head>", '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">', f"<title>{escape(title)}</title>",
            f"<style>{css}</style>", "</head>", "<body>"]


def meta_table(pairs: Iterable[tuple[str, str]]) -> list[str]:
    """Who, what period and which rules: a label and a value a row."""
    return ['<table class="meta">', *(f'<tr><th scope="row">{escape(label)}</th><td>{escape(value)}</td></tr>'
                                      for label, value in pairs), "</table>"]


def page_footer(text: str) -> str:
    """Which document a printed page belongs to, at the foot of every page."""
    return f"@page {{ @bottom-left {{ content: {_css_string(text)}; font: 8pt Arial, sans-serif; }} }}\n"


def _css_string(text: str) -> str:
    """A CSS string literal; anything but letters, digits and spaces as a hex escape, so it cannot end the <style>."""
    return '"' + "".join(c if c.isalnum() or c == " " else f"\\{ord(c):x} " for c in text) + '"'
