"""Figures of the chapter-8 experiments: numbers in, a matplotlib ``Figure`` out.

Every function here takes numbers that were already computed (means and the bounds of
their 95% confidence intervals, values and greedy actions) and only draws them; no
function computes a statistic, so what a figure shows is exactly what the tables print.
Figures are built as :class:`matplotlib.figure.Figure` objects, never through pyplot, so
drawing keeps no global state and works without a display and from any thread.

Readability rules kept by all of them: the title (the caller's, as the figure's suptitle)
says what is measured and over how many runs, axes say their units, lines are labelled
at their right end in their own colour (no legend hunt), and bands are 95% intervals.
:func:`save_figure` writes a PNG atomically, so a run folder never holds half a picture.
"""

from __future__ import annotations

import os
import secrets
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np
from matplotlib import colormaps, patheffects
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.collections import PatchCollection
from matplotlib.colors import ListedColormap, Normalize, to_rgba
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from matplotlib.patches import Rectangle
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter
from numpy.typing import ArrayLike

from dynalab.envs.maze import ACTION_DELTAS, ACTIONS, Maze


class MarginLabel(NamedTuple):
    """A label for the right margin: its text, the data height it names, its style."""

    text: str
    y: float | None
    color: str
    weight: str


Band = tuple[ArrayLike, ArrayLike, ArrayLike]
"""``(mean, low, high)``: a mean and the bounds of its 95% confidence interval."""

FrontierPoints = tuple[ArrayLike, ArrayLike, ArrayLike, ArrayLike, ArrayLike, ArrayLike]
"""``(x_mean, x_low, x_high, y_mean, y_low, y_high)`` of one or more points."""

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
    fig, ax = _curve_axes(title, xlabel, ylabel, BAND_NOTE)
    bands = _checked_bands(curves)
    xs = {label: _x_values(x, len(band[0]), label) for label, band in bands.items()}
    for label, (mean, low, high) in bands.items():
        _draw_band(ax, xs[label], mean, low, high, label)
    _set_value_limits(ax, bands.values(), log_y, reference)
    margin_labels = _line_end_labels(ax)
    if reference is not None:
        margin_labels.append(_draw_reference(ax, reference, reference_label))
    _place_margin_labels(ax, fig, margin_labels)
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
    fig, ax = _curve_axes(title, "time steps", "cumulative reward", BAND_NOTE)
    bands = _checked_bands(curves)
    x = np.asarray(steps, dtype=float)
    for label, (mean, low, high) in bands.items():
        _x_values(x, len(mean), label)
        _draw_band(ax, x, mean, low, high, label)
    _set_value_limits(ax, bands.values(), log_y=False, reference=None)
    for step in changes:
        _draw_change(ax, step)
    _place_margin_labels(ax, fig, _line_end_labels(ax))
    return fig


def maze_policy(
    maze: Maze,
    values: ArrayLike,
    greedy_actions: Sequence[Sequence[int]] | np.ndarray,
    *,
    title: str,
    value_label: str = "state value V(s)",
    arrows: bool | None = None,
) -> Figure:
    """One maze with its state values as a heatmap and its greedy actions as arrows.

    ``values`` has one entry per state (``rows * cols``, state ``row * cols + col``);
    ``greedy_actions[s]`` lists the indices into :data:`~dynalab.envs.maze.ACTIONS` of the
    greedy action(s) of state ``s`` (ties give several arrows, an empty list none); a
    boolean ``(states, 4)`` array is read as a mask of greedy actions. Walls are dark,
    cliffs red, swamps hatched in olive over their value colour, ``S`` and ``G`` mark
    start and goals; entries on walls and goals are not drawn.
    ``arrows=None`` draws arrows only while cells are large enough to read them, so
    scaled mazes (Fig. 8.7, up to about 100x100 cells) still render, as a heatmap.
    """
    return maze_policies_side_by_side(
        [("", values, greedy_actions)],
        maze,
        title=title,
        value_label=value_label,
        arrows=arrows,
    )


def maze_policies_side_by_side(
    panels: Sequence[tuple[str, ArrayLike, Sequence[Sequence[int]] | np.ndarray]],
    maze: Maze,
    *,
    title: str,
    value_label: str = "state value V(s)",
    arrows: bool | None = None,
) -> Figure:
    """Several policies on one maze, side by side on one colour scale (Fig. 8.3).

    ``panels`` are ``(panel title, values, greedy_actions)`` as for :func:`maze_policy`;
    the book's Figure 8.3 compares the greedy policies without planning (n=0) and with
    planning (n=50) halfway through the second episode. All panels share one colour
    scale and one colour bar, so equal colours mean equal values.
    """
    if not panels:
        raise ValueError("maze_policies_side_by_side needs at least one panel")
    grids = [_value_grid(maze, values) for _, values, _ in panels]
    masks = [_action_mask(maze, actions) for _, _, actions in panels]
    cell = _cell_inches(maze, len(panels))
    show_arrows = cell >= MIN_ARROW_CELL_INCHES if arrows is None else arrows
    fig = Figure(figsize=_maze_figure_size(maze, len(panels), cell), layout="constrained")
    _suptitle(fig, title)
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    norm = _shared_norm(maze, grids)
    cmap = _value_cmap()
    for ax, (panel_title, _, _), grid, mask in zip(axes, panels, grids, masks, strict=True):
        image = _draw_maze(ax, maze, grid, norm, cmap, cell)
        if show_arrows:
            _draw_arrows(ax, maze, mask)
        _mark_start_and_goals(ax, maze, cell)
        if panel_title:
            ax.set_title(panel_title)
    colorbar = fig.colorbar(image, ax=list(axes), shrink=0.9, pad=0.02)
    colorbar.set_label(value_label)
    return fig


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
    fig, ax = _curve_axes(title, xlabel, ylabel, POINTS_NOTE)
    if not points:
        raise ValueError("frontier needs at least one series of points")
    for label, series in points.items():
        _draw_error_points(ax, label, series)
    xs, ys = _frontier_extent(points)
    if log_x:
        ax.set_xscale("log")
        _plain_log_ticks(ax.xaxis, *xs)
    if log_y:
        ax.set_yscale("log")
        _plain_log_ticks(ax.yaxis, *ys)
    ax.legend(loc="best", fontsize=LABEL_FONT_SIZE)
    return fig


def save_figure(fig: Figure, path: str | os.PathLike[str]) -> Path:
    """Write ``fig`` as a PNG at ``path`` atomically and return the path.

    The picture goes to a temporary file in the same folder, then replaces ``path`` in
    one step, so a reader (or a crash) never sees a half-written PNG. The file gets the
    usual permissions (the umask's), unlike a ``tempfile`` one. Missing parent folders
    are created.
    """
    target = Path(path)
    if target.suffix.lower() != ".png":
        raise ValueError(f"save_figure writes PNG files; give a path ending in .png, got {path}")
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(8)}.tmp")
    try:
        with temporary.open("xb") as handle:
            fig.savefig(handle, format="png", dpi=DPI)
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return target


def _suptitle(fig: Figure, title: str) -> None:
    """The caller's title on top of the figure, wrapped so it never runs off the edge."""
    fig.suptitle(textwrap.fill(title, TITLE_WIDTH))


def _curve_axes(title: str, xlabel: str, ylabel: str, note: str) -> tuple[Figure, Axes]:
    """A figure with one axes for curves: title, axis labels and a small ``note``.

    The note, top right, says what lines and shading (or bars) stand for, so a reader
    never has to guess whether a band is a standard deviation or an interval.
    """
    fig = Figure(figsize=CURVE_SIZE, layout="constrained")
    _suptitle(fig, title)
    ax = fig.add_subplot()
    ax.set_title(note, loc="right", fontsize=NOTE_FONT_SIZE, color=NOTE_COLOR)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(True, color="0.9", linewidth=0.8)
    ax.set_axisbelow(True)
    return fig, ax


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
            _plain_log_ticks(ax.yaxis, positive.min(), positive.max())
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


def _line_end_labels(ax: Axes) -> list[MarginLabel]:
    """A bold label in its line's colour for each labelled line, at its last finite y."""
    labels = []
    for line in ax.get_lines():
        if line.get_label().startswith("_"):
            continue
        end = _last_finite(line.get_xdata(), line.get_ydata())
        height = end[1] if end is not None else None
        labels.append(MarginLabel(line.get_label(), height, line.get_color(), "bold"))
    return labels


def _place_margin_labels(ax: Axes, fig: Figure, labels: Sequence[MarginLabel]) -> None:
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


def _plain_log_ticks(axis: Axis, low: float, high: float) -> None:
    """Plain numbers (20, 50, 100, ...) on a log axis spanning few decades.

    Matplotlib's default shows only powers of ten, often just one or two of them over
    the range of a learning curve; 1-2-5 ticks written out read without decoding.
    """
    if not (0 < low < high) or np.log10(high / low) > PLAIN_LOG_DECADES:
        return
    axis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
    axis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    axis.set_minor_formatter(NullFormatter())


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


def _value_grid(maze: Maze, values: ArrayLike) -> np.ndarray:
    """``values`` (one per state) as a ``(rows, cols)`` grid, checked for its size."""
    flat = np.asarray(values, dtype=float).ravel()
    if len(flat) != maze.n_states:
        raise ValueError(
            f"values need one entry per state ({maze.rows}x{maze.cols} = {maze.n_states}), "
            f"got {len(flat)}"
        )
    return flat.reshape(maze.rows, maze.cols)


def _action_mask(maze: Maze, greedy: Sequence[Sequence[int]] | np.ndarray) -> np.ndarray:
    """A ``(states, actions)`` boolean mask of the greedy actions to draw.

    Accepts per-state lists of action indices or a boolean mask; entries on walls and
    goals are dropped, since those cells have no policy to show.
    """
    n_actions = len(ACTIONS)
    if isinstance(greedy, np.ndarray) and greedy.dtype == np.bool_:
        if greedy.shape != (maze.n_states, n_actions):
            raise ValueError(
                f"a greedy-action mask needs shape {(maze.n_states, n_actions)}, got {greedy.shape}"
            )
        mask = greedy.copy()
    else:
        if len(greedy) != maze.n_states:
            raise ValueError(
                f"greedy_actions need one entry per state ({maze.n_states}), got {len(greedy)}"
            )
        mask = np.zeros((maze.n_states, n_actions), dtype=np.bool_)
        for state, actions in enumerate(greedy):
            for action in np.atleast_1d(np.asarray(actions, dtype=np.int64)):
                if not 0 <= action < n_actions:
                    raise ValueError(f"state {state}: action {action} is not in 0..{n_actions - 1}")
                mask[state, action] = True
    mask[maze.walls.ravel()] = False
    for goal in maze.goals:
        mask[maze.state(*goal)] = False
    return mask


def _cell_inches(maze: Maze, n_panels: int) -> float:
    """The side of one cell on paper: as large as fits a panel, at most MAX_CELL_INCHES."""
    width, height = MAZE_PANEL_INCHES
    if n_panels > 1:
        width = min(width, 18.0 / n_panels)
    return min(MAX_CELL_INCHES, width / maze.cols, height / maze.rows)


def _maze_figure_size(maze: Maze, n_panels: int, cell: float) -> tuple[float, float]:
    """Figure size for ``n_panels`` maze panels of ``cell``-inch cells, plus margins."""
    width = n_panels * (maze.cols * cell + 0.8) + 1.4
    height = maze.rows * cell + 1.4
    return width, height


def _shared_norm(maze: Maze, grids: Sequence[np.ndarray]) -> Normalize:
    """One colour scale over the free cells of all grids, from min(0, lowest) up."""
    free = ~maze.walls
    values = np.concatenate([grid[free] for grid in grids])
    values = values[np.isfinite(values)]
    low = min(0.0, float(values.min())) if len(values) else 0.0
    high = float(values.max()) if len(values) else 1.0
    if high <= low:
        high = low + 1.0
    return Normalize(vmin=low, vmax=high)


def _value_cmap() -> ListedColormap:
    """A light-to-medium sequential colour map, so no value looks like a (dark) wall."""
    base = colormaps[VALUE_CMAP]
    cmap = ListedColormap(base(np.linspace(0.0, VALUE_CMAP_TOP, 256)), name="dynalab-values")
    return cmap.with_extremes(bad=UNKNOWN_COLOR)


def _draw_maze(
    ax: Axes, maze: Maze, grid: np.ndarray, norm: Normalize, cmap: ListedColormap, cell: float
) -> AxesImage:
    """The value heatmap on free cells, walls and cliffs painted over it; returns the
    heatmap. Cliff cells (never stood on, so without a value of their own) are red.
    Swamp cells are stood on and keep their value colour, hatched in olive over it."""
    cliff_mask = np.zeros_like(maze.walls)
    for row, col in getattr(maze, "cliffs", ()):
        cliff_mask[row, col] = True
    shown = np.ma.masked_array(grid, mask=maze.walls | cliff_mask | ~np.isfinite(grid))
    image = ax.imshow(shown, cmap=cmap, norm=norm, interpolation="nearest")
    walls = np.zeros((maze.rows, maze.cols, 4))
    walls[maze.walls] = to_rgba(WALL_COLOR)
    walls[cliff_mask] = to_rgba(CLIFF_COLOR)
    ax.imshow(walls, interpolation="nearest")
    _draw_swamps(ax, getattr(maze, "swamps", ()))
    ax.set_xlabel("column")
    ax.set_ylabel("row")
    if max(maze.rows, maze.cols) <= MAX_CELL_TICKS:
        ax.set_xticks(np.arange(maze.cols))
        ax.set_yticks(np.arange(maze.rows))
    if cell >= MIN_ARROW_CELL_INCHES:
        ax.set_xticks(np.arange(maze.cols + 1) - 0.5, minor=True)
        ax.set_yticks(np.arange(maze.rows + 1) - 0.5, minor=True)
        ax.grid(which="minor", color="white", linewidth=0.8)
        ax.tick_params(which="both", length=0, labelsize=NOTE_FONT_SIZE)
    return image


def _draw_swamps(ax: Axes, swamps: Sequence[tuple[int, int]]) -> None:
    """Olive hatching over each swamp cell, leaving its value colour visible beneath."""
    if not swamps:
        return
    cells = [Rectangle((col - 0.5, row - 0.5), 1.0, 1.0) for row, col in swamps]
    ax.add_collection(
        PatchCollection(
            cells,
            facecolor="none",
            edgecolor=SWAMP_COLOR,
            hatch=SWAMP_HATCH,
            linewidth=0.0,
            zorder=2,
            gid="swamps",
        )
    )


def _draw_arrows(ax: Axes, maze: Maze, mask: np.ndarray) -> None:
    """One arrow per (state, greedy action) in ``mask``, pointing the way the action moves.

    Arrows start a little off the cell's centre, so ties read as a small compass and the
    ``S`` letter in the start cell stays legible. Up is toward row 0 (the top).
    """
    states, actions = np.nonzero(mask)
    if not len(states):
        return
    rows, cols = np.divmod(states, maze.cols)
    deltas = np.asarray(ACTION_DELTAS, dtype=float)[actions]
    d_row, d_col = deltas[:, 0], deltas[:, 1]
    ax.quiver(
        cols + ARROW_START * d_col,
        rows + ARROW_START * d_row,
        ARROW_LENGTH * d_col,
        ARROW_LENGTH * d_row,
        angles="xy",
        scale_units="xy",
        scale=1.0,
        units="xy",
        width=0.045,
        headwidth=3.5,
        headlength=3.5,
        headaxislength=3.0,
        color="black",
        zorder=3,
    )


def _mark_start_and_goals(ax: Axes, maze: Maze, cell: float) -> None:
    """``S`` on the start and ``G`` on each goal, outlined in white to read on any colour."""
    size = float(np.clip(cell * 72 * 0.5, 10.0, 14.0))
    outline = [patheffects.withStroke(linewidth=2.5, foreground="white")]
    marks = [(maze.start, "S")] + [(goal, "G") for goal in maze.goals]
    for (row, col), letter in marks:
        ax.text(
            col,
            row,
            letter,
            ha="center",
            va="center",
            fontsize=size,
            fontweight="bold",
            color="black",
            path_effects=outline,
            zorder=4,
        )
