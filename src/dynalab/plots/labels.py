"""Labels in the right margin of a chart, each at the height where its line ends.

Curves are named beside the axes in their own colour rather than in a legend, so a
reader finds a line's name where the line ends. Labels that would overlap (lines often
end together) are pushed apart, keeping their order, and long ones wrap at commas.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

from dynalab.plots.style import LABEL_FONT_SIZE, MARGIN_LABEL_WIDTH


class MarginLabel(NamedTuple):
    """A label for the right margin: its text, the data height it names, its style."""

    text: str
    y: float | None
    color: str
    weight: str


def line_end_labels(ax: Axes) -> list[MarginLabel]:
    """A bold label in its line's colour for each labelled line, at its last finite y."""
    labels = []
    for line in ax.get_lines():
        if line.get_label().startswith("_"):
            continue
        end = _last_finite(line.get_xdata(), line.get_ydata())
        height = end[1] if end is not None else None
        labels.append(MarginLabel(line.get_label(), height, line.get_color(), "bold"))
    return labels


def place_margin_labels(ax: Axes, fig: Figure, labels: Sequence[MarginLabel]) -> None:
    """Write ``labels`` just right of the axes, each at the height where its line ends.

    Labels that would overlap are pushed apart vertically (lines often end together,
    e.g. all agents reach the 14-step path of Fig. 8.2), keeping their order. Call this
    after the y limits are final, since heights are placed in axes coordinates.
    """
    to_axes = ax.transScale + ax.transLimits
    heights = [
        0.5 if label.y is None else float(to_axes.transform((0.0, label.y))[1]) for label in labels
    ]
    texts = [_wrap_label(label.text) for label in labels]
    lines = max((text.count("\n") + 1 for text in texts), default=1)
    axes_inches = fig.get_figheight() * 0.75
    gap = 1.3 * lines * LABEL_FONT_SIZE / 72 / axes_inches
    for label, text, height in zip(labels, texts, _spread(heights, gap), strict=True):
        ax.annotate(
            text,
            xy=(1.01, height),
            xycoords="axes fraction",
            ha="left",
            va="center",
            fontsize=LABEL_FONT_SIZE,
            color=label.color,
            fontweight=label.weight,
            annotation_clip=False,
        )


def _wrap_label(text: str, width: int = MARGIN_LABEL_WIDTH) -> str:
    """A long label (an agent spec with many keys) broken after commas into lines of
    about ``width`` characters, so the labels beside the axes do not squeeze them."""
    lines = [""]
    for part in text.split(","):
        piece = part if not lines[-1] else "," + part
        if lines[-1] and len(lines[-1]) + len(piece) > width:
            lines[-1] += ","
            lines.append(part)
        else:
            lines[-1] += piece
    return "\n".join(lines)


def _last_finite(x: ArrayLike, y: ArrayLike) -> tuple[float, float] | None:
    """The last point of a line with finite coordinates, or None if there is none."""
    xs, ys = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    finite = np.flatnonzero(np.isfinite(xs) & np.isfinite(ys))
    if not len(finite):
        return None
    return float(xs[finite[-1]]), float(ys[finite[-1]])


def _spread(targets: Sequence[float], gap: float) -> list[float]:
    """Positions as close to ``targets`` as possible, at least ``gap`` apart, in order.

    Pushes labels up from the lowest, then back down from the top if they passed 1.
    """
    order = np.argsort(targets, kind="stable")
    placed = np.clip(np.asarray(targets, dtype=float)[order], 0.0, 1.0)
    for i in range(1, len(placed)):
        placed[i] = max(placed[i], placed[i - 1] + gap)
    if len(placed) and placed[-1] > 1.0:
        placed[-1] = 1.0
        for i in range(len(placed) - 2, -1, -1):
            placed[i] = min(placed[i], placed[i + 1] - gap)
    out = np.empty_like(placed)
    out[order] = placed
    return out.tolist()
