"""The look shared by all figures: sizes, fonts, colours, and the axes every chart starts from.

Kept in one place so that a change of look (a colour, a font size) is made once and
reaches every figure. Besides the constants, the helpers here build what all charts have
in common: the wrapped title on top, one axes with a note saying what lines and bands
stand for, and readable tick labels on a log axis.
"""

from __future__ import annotations

import textwrap

import numpy as np
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

DPI = 120
CURVE_SIZE = (7.5, 4.5)
BAND_ALPHA = 0.2
LABEL_FONT_SIZE = 9.0
NOTE_FONT_SIZE = 8.0
TITLE_WIDTH = 80
MARGIN_LABEL_WIDTH = 30
"""Characters per line of a label beside the axes before it wraps at a comma."""
BAND_NOTE = "lines: mean; shaded: 95% CI"
POINTS_NOTE = "markers: mean; bars: 95% CI"
NOTE_COLOR = "0.4"
CLIFF_COLOR = "#c0392b"
SWAMP_COLOR = "#6b6b2a"
SWAMP_HATCH = "xx"
REFERENCE_COLOR = "0.35"

WALL_COLOR = "#2b2b2b"
UNKNOWN_COLOR = "#d9d9d9"
VALUE_CMAP = "YlGnBu"
VALUE_CMAP_TOP = 0.8
MAZE_PANEL_INCHES = (6.5, 5.0)
MAX_CELL_INCHES = 0.6
MIN_ARROW_CELL_INCHES = 0.2
MAX_CELL_TICKS = 20
PLAIN_LOG_DECADES = 3.0
ARROW_START = 0.12
ARROW_LENGTH = 0.3


def suptitle(fig: Figure, title: str) -> None:
    """The caller's title on top of the figure, wrapped so it never runs off the edge."""
    fig.suptitle(textwrap.fill(title, TITLE_WIDTH))


def curve_axes(title: str, xlabel: str, ylabel: str, note: str) -> tuple[Figure, Axes]:
    """A figure with one axes for curves: title, axis labels and a small ``note``.

    The note, top right, says what lines and shading (or bars) stand for, so a reader
    never has to guess whether a band is a standard deviation or an interval.
    """
    fig = Figure(figsize=CURVE_SIZE, layout="constrained")
    suptitle(fig, title)
    ax = fig.add_subplot()
    ax.set_title(note, loc="right", fontsize=NOTE_FONT_SIZE, color=NOTE_COLOR)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(True, color="0.9", linewidth=0.8)
    ax.set_axisbelow(True)
    return fig, ax


def plain_log_ticks(axis: Axis, low: float, high: float) -> None:
    """Plain numbers (20, 50, 100, ...) on a log axis spanning few decades.

    Matplotlib's default shows only powers of ten, often just one or two of them over
    the range of a learning curve; 1-2-5 ticks written out read without decoding.
    """
    if not (0 < low < high) or np.log10(high / low) > PLAIN_LOG_DECADES:
        return
    axis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
    axis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    axis.set_minor_formatter(NullFormatter())
