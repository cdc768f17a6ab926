"""Trade-off charts: points with 95% error bars on both axes, joined into frontiers.

Each point is a mean on both axes with the bounds of its 95% confidence intervals, so
a chart of "real steps saved against planning updates spent" shows how sure each
point is in both directions.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

from dynalab.plots.style import LABEL_FONT_SIZE, POINTS_NOTE, curve_axes, plain_log_ticks

FrontierPoints = tuple[ArrayLike, ArrayLike, ArrayLike, ArrayLike, ArrayLike, ArrayLike]
"""``(x_mean, x_low, x_high, y_mean, y_low, y_high)`` of one or more points."""


def frontier(
    points: Mapping[str, FrontierPoints],
    *,
    xlabel: str,
    ylabel: str,
    title: str,
    log_x: bool = True,
    log_y: bool = True,
) -> Figure:
    """A trade-off chart: points with 95% error bars on both axes, one series per label.

    ``points[label] = (x_mean, x_low, x_high, y_mean, y_low, y_high)``, each a number or
    an array; the points of one label are joined in the order given (e.g. growing
    planning steps n), so the chart reads as a frontier such as "real steps saved
    against planning updates spent" (the compute/sample trade-off behind Fig. 8.2).
    """
    fig, ax = curve_axes(title, xlabel, ylabel, POINTS_NOTE)
    if not points:
        raise ValueError("frontier needs at least one series of points")
    for label, series in points.items():
        _draw_error_points(ax, label, series)
    xs, ys = _frontier_extent(points)
    if log_x:
        ax.set_xscale("log")
        plain_log_ticks(ax.xaxis, *xs)
    if log_y:
        ax.set_yscale("log")
        plain_log_ticks(ax.yaxis, *ys)
    ax.legend(loc="best", fontsize=LABEL_FONT_SIZE)
    return fig


def _frontier_extent(
    points: Mapping[str, FrontierPoints],
) -> tuple[tuple[float, float], tuple[float, float]]:
    """The positive (low, high) range of all x bounds and of all y bounds."""

    def extent(parts: list[ArrayLike]) -> tuple[float, float]:
        values = np.concatenate([np.atleast_1d(np.asarray(p, dtype=float)) for p in parts])
        values = values[np.isfinite(values) & (values > 0)]
        return (float(values.min()), float(values.max())) if len(values) else (0.0, 0.0)

    xs = extent([part for series in points.values() for part in series[:3]])
    ys = extent([part for series in points.values() for part in series[3:]])
    return xs, ys


def _draw_error_points(ax: Axes, label: str, series: FrontierPoints) -> None:
    """One label's points with asymmetric error bars both ways, joined in order."""
    if len(series) != 6:
        raise ValueError(
            f"points {label!r} need (x_mean, x_low, x_high, y_mean, y_low, y_high), "
            f"got {len(series)} items"
        )
    x, x_low, x_high, y, y_low, y_high = (
        np.atleast_1d(np.asarray(part, dtype=float)) for part in series
    )
    if len({len(x), len(x_low), len(x_high), len(y), len(y_low), len(y_high)}) != 1:
        raise ValueError(f"points {label!r}: all six parts need the same length")
    ax.errorbar(
        x,
        y,
        xerr=np.vstack([x - x_low, x_high - x]),
        yerr=np.vstack([y - y_low, y_high - y]),
        fmt="-o" if len(x) > 1 else "o",
        markersize=5,
        linewidth=1.4,
        elinewidth=1.0,
        capsize=3,
        label=label,
    )
