"""Curves over time: mean lines with shaded 95% intervals (Figs. 8.2, 8.4, 8.5).

Each curve is a band, a mean and the bounds of its 95% confidence interval per point,
drawn as a line over a shaded area in the same colour and named at its right end.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

from dynalab.plots.labels import MarginLabel, line_end_labels, place_margin_labels
from dynalab.plots.style import (
    BAND_ALPHA,
    BAND_NOTE,
    NOTE_FONT_SIZE,
    REFERENCE_COLOR,
    curve_axes,
    plain_log_ticks,
)

Band = tuple[ArrayLike, ArrayLike, ArrayLike]
"""``(mean, low, high)``: a mean and the bounds of its 95% confidence interval."""


def learning_curves(
    curves: Mapping[str, Band],
    *,
    x: ArrayLike | None = None,
    title: str,
    xlabel: str = "episode",
    ylabel: str = "steps per episode",
    log_y: bool = False,
    reference: float | None = None,
    reference_label: str | None = None,
) -> Figure:
    """Mean learning curves with shaded 95% intervals, one line per label (Fig. 8.2).

    ``curves[label] = (mean, low, high)``, one entry per episode. ``x`` is shared by all
    curves (default: 1, 2, ... per curve). The y axis runs from 0 (or the lowest bound)
    to the highest bound, as in the book, or on a log scale with ``log_y`` when the first
    episodes dwarf the rest. ``reference`` draws a dashed horizontal line, e.g. the
    shortest path's 14 steps, that curves should approach.
    """
    fig, ax = curve_axes(title, xlabel, ylabel, BAND_NOTE)
    bands = _checked_bands(curves)
    xs = {label: _x_values(x, len(band[0]), label) for label, band in bands.items()}
    for label, (mean, low, high) in bands.items():
        _draw_band(ax, xs[label], mean, low, high, label)
    _set_value_limits(ax, bands.values(), log_y, reference)
    margin_labels = line_end_labels(ax)
    if reference is not None:
        margin_labels.append(_draw_reference(ax, reference, reference_label))
    place_margin_labels(ax, fig, margin_labels)
    return fig


def cumulative_reward(
    curves: Mapping[str, Band],
    steps: ArrayLike,
    *,
    changes: Sequence[int],
    title: str,
) -> Figure:
    """Cumulative reward against real time steps, marking when the world changes.

    Figures 8.4 (blocking maze) and 8.5 (shortcut maze): ``curves[label] = (mean, low,
    high)`` at each of ``steps``; a dashed vertical line labelled "world changes" at each
    step of ``changes`` shows when the maze was switched, so the flat stretch after a
    blocking change, or the missing bend after a shortcut opens, reads at a glance.
    """
    fig, ax = curve_axes(title, "time steps", "cumulative reward", BAND_NOTE)
    bands = _checked_bands(curves)
    x = np.asarray(steps, dtype=float)
    for label, (mean, low, high) in bands.items():
        _x_values(x, len(mean), label)
        _draw_band(ax, x, mean, low, high, label)
    _set_value_limits(ax, bands.values(), log_y=False, reference=None)
    for step in changes:
        _draw_change(ax, step)
    place_margin_labels(ax, fig, line_end_labels(ax))
    return fig


def _checked_bands(curves: Mapping[str, Band]) -> dict[str, tuple[np.ndarray, ...]]:
    """The curves as float arrays, refusing an empty mapping or bands of unequal length."""
    if not curves:
        raise ValueError("give at least one curve")
    bands = {}
    for label, band in curves.items():
        mean, low, high = (np.asarray(part, dtype=float).ravel() for part in band)
        if not len(mean) == len(low) == len(high):
            raise ValueError(
                f"curve {label!r}: mean, low and high need the same length, "
                f"got {len(mean)}, {len(low)}, {len(high)}"
            )
        bands[label] = (mean, low, high)
    return bands


def _x_values(x: ArrayLike | None, n: int, label: str) -> np.ndarray:
    """The x positions of a curve of ``n`` points: ``x`` checked, or 1, 2, ..., n."""
    if x is None:
        return np.arange(1, n + 1, dtype=float)
    values = np.asarray(x, dtype=float).ravel()
    if len(values) != n:
        raise ValueError(f"curve {label!r} has {n} points but x has {len(values)}")
    return values


def _draw_band(
    ax: Axes, x: np.ndarray, mean: np.ndarray, low: np.ndarray, high: np.ndarray, label: str
) -> None:
    """One mean line (labelled ``label``) and its shaded interval in the same colour."""
    (line,) = ax.plot(x, mean, linewidth=1.6, label=label)
    ax.fill_between(x, low, high, color=line.get_color(), alpha=BAND_ALPHA, linewidth=0)


def _set_value_limits(
    ax: Axes, bands: Iterable[tuple[np.ndarray, ...]], log_y: bool, reference: float | None
) -> None:
    """Y limits from 0 (or the lowest bound) to the highest bound, or a log range.

    Limits are fixed here, before labels are placed at the lines' ends, so that those
    labels land where the lines end.
    """
    values = np.concatenate([np.concatenate(band) for band in bands])
    if reference is not None:
        values = np.append(values, reference)
    values = values[np.isfinite(values)]
    if log_y:
        ax.set_yscale("log")
        positive = values[values > 0]
        if len(positive):
            ax.set_ylim(positive.min() / 1.2, positive.max() * 1.2)
            plain_log_ticks(ax.yaxis, positive.min(), positive.max())
        return
    if not len(values):
        return
    bottom, top = min(0.0, values.min()), max(0.0, values.max())
    margin = 0.05 * (top - bottom) if top > bottom else 1.0
    ax.set_ylim(bottom if bottom == 0.0 else bottom - margin, top + margin)


def _draw_reference(ax: Axes, value: float, label: str | None) -> MarginLabel:
    """A dashed horizontal line at ``value``; returns its label for the right margin."""
    ax.axhline(value, color=REFERENCE_COLOR, linestyle="--", linewidth=1.0)
    text = label if label is not None else f"reference: {value:g}"
    return MarginLabel(text, float(value), REFERENCE_COLOR, "normal")


def _draw_change(ax: Axes, step: float) -> None:
    """A dashed vertical line at ``step`` with "world changes" beside its top."""
    ax.axvline(step, color=REFERENCE_COLOR, linestyle="--", linewidth=1.0)
    ax.annotate(
        "world changes",
        xy=(step, 0.98),
        xycoords=("data", "axes fraction"),
        xytext=(4, 0),
        textcoords="offset points",
        ha="left",
        va="top",
        fontsize=NOTE_FONT_SIZE,
        color=REFERENCE_COLOR,
    )
