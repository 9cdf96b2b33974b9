"""The charts a council complaints report carries, drawn as PNG bytes for the HTML and Word renderers.

Drawn on matplotlib's Agg canvas directly (no pyplot, so no global figure state), imported inside each function
so that the command line starts without it. The same figures give the same bytes: a fixed size, dpi and font
(DejaVu Sans, which matplotlib ships, so every machine draws alike) and no software or date in the PNG.
Every bar carries its value and every series its own hatching as well as its colour, so a chart reads in
black and white. The title goes in the PNG's metadata, not on the picture: the document's caption shows it.
"""

from __future__ import annotations

import io
import textwrap
import warnings
from collections.abc import Callable
from typing import Any, cast

CM = 1 / 2.54  # inches
WIDTH_CM = 16  # the width the HTML and Word reports show each chart at, too
WIDTH = WIDTH_CM * CM
DPI = 150
INK = "#222222"
# series fills from dark to light, each with its own hatching, so they differ in grey and in pattern
FILLS = ("#1F4E79", "#9DC3E6", "#D9D9D9", "#595959")
HATCHES = ("", "///", "...", "xx")
STYLE: dict[str, Any] = {
    "font.family": "DejaVu Sans", "font.size": 9, "text.color": INK, "axes.edgecolor": INK, "axes.labelcolor": INK,
    "xtick.color": INK, "ytick.color": INK, "hatch.color": "#404040", "hatch.linewidth": 0.6,
    "axes.spines.top": False, "axes.spines.right": False, "legend.frameon": False,
}


def bar_chart(title: str, labels: list[str], values: list[float]) -> bytes:
    """One series, e.g. stage 1 complaints by service area: bars in the order given, each labelled with its value."""
    def draw(ax: Any) -> None:
        bars = ax.barh(range(len(values)), values, height=0.6, color=FILLS[0], edgecolor=INK, linewidth=0.5)
        ax.set_yticks(range(len(labels)), [textwrap.fill(label, 28) for label in labels])
        ax.invert_yaxis()
        ax.set_xlim(0, (max(values, default=0) or 1) * 1.15)
        ax.spines["bottom"].set_visible(False)
        ax.tick_params(axis="x", bottom=False, labelbottom=False)
        ax.tick_params(axis="y", length=0)
        ax.bar_label(bars, [f"{v:.0f}" for v in values], padding=3)

    return _png(title, 1.2 + 0.75 * len(labels), draw)


def grouped_bar_chart(title: str, groups: list[str], series: dict[str, list[float]]) -> bytes:
    """Several series side by side per group, e.g. each quarter this year against last year, or outcomes by stage."""
    width = 0.8 / max(len(series), 1)

    def draw(ax: Any) -> None:
        for i, (name, values) in enumerate(series.items()):
            offset = (i - (len(series) - 1) / 2) * width
            bars = ax.bar([g + offset for g in range(len(groups))], values, width=width * 0.92, label=name,
                          color=FILLS[i % len(FILLS)], hatch=HATCHES[i % len(HATCHES)], edgecolor=INK, linewidth=0.5)
            ax.bar_label(bars, [f"{v:.0f}" for v in values], padding=2, fontsize=8)
        ax.set_xticks(range(len(groups)), [textwrap.fill(group, 14) for group in groups])
        _values_on_top(ax, max((v for values in series.values() for v in values), default=0) or 1)
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=len(series), handleheight=1.4, handlelength=2.4)

    return _png(title, 8.0, draw)


def _values_on_top(ax: Any, top: float) -> None:
    """Vertical bars labelled with their values need no value axis: hide it and leave room above the tallest bar."""
    ax.set_ylim(0, top * 1.15)
    ax.spines["left"].set_visible(False)
    ax.tick_params(axis="y", left=False, labelleft=False)
    ax.tick_params(axis="x", length=0)


def _png(title: str, height_cm: float, draw: Callable[[Any], None]) -> bytes:
    """A 16 cm wide figure in the house style, drawn by `draw` on its one set of axes, as PNG bytes."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    with matplotlib.rc_context(cast(Any, STYLE)), warnings.catch_warnings():  # rc keys typed as literals; STYLE's are checked when used
        # a label holding a symbol the font lacks (the ␇ that stands for a control character) is drawn as a box; the
        # register's loading has said so on standard error already
        warnings.filterwarnings("ignore", message="Glyph .* missing from font", category=UserWarning)
        fig = Figure(figsize=(WIDTH, height_cm * CM), dpi=DPI, layout="constrained")
        FigureCanvasAgg(fig)
        draw(fig.add_subplot())
        out = io.BytesIO()
        fig.savefig(out, format="png", dpi=DPI, metadata={"Title": title, "Software": None})
    return out.getvalue()
