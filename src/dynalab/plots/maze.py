"""Maze maps: state values as a heatmap, greedy actions as arrows (Figs. 8.3, 8.7).

Walls, cliffs, swamps, the start and the goals are drawn over the values so a policy
reads against the maze it acts in; panels drawn side by side share one colour scale.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib import colormaps, patheffects
from matplotlib.axes import Axes
from matplotlib.collections import PatchCollection
from matplotlib.colors import ListedColormap, Normalize, to_rgba
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from matplotlib.patches import Rectangle
from numpy.typing import ArrayLike

from dynalab.envs.maze import ACTION_DELTAS, ACTIONS, Maze
from dynalab.plots.style import (
    ARROW_LENGTH,
    ARROW_START,
    CLIFF_COLOR,
    MAX_CELL_INCHES,
    MAX_CELL_TICKS,
    MAZE_PANEL_INCHES,
    MIN_ARROW_CELL_INCHES,
    NOTE_FONT_SIZE,
    SWAMP_COLOR,
    SWAMP_HATCH,
    UNKNOWN_COLOR,
    VALUE_CMAP,
    VALUE_CMAP_TOP,
    WALL_COLOR,
    suptitle,
)


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
    cell = cell_inches(maze, len(panels))
    show_arrows = cell >= MIN_ARROW_CELL_INCHES if arrows is None else arrows
    fig = Figure(figsize=maze_figure_size(maze, len(panels), cell), layout="constrained")
    suptitle(fig, title)
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    norm = shared_norm(maze, grids)
    cmap = value_cmap()
    for ax, (panel_title, _, _), grid, mask in zip(axes, panels, grids, masks, strict=True):
        image = draw_maze(ax, maze, grid, norm, cmap, cell)
        if show_arrows:
            draw_arrows(ax, maze, mask)
        _mark_start_and_goals(ax, maze, cell)
        if panel_title:
            ax.set_title(panel_title)
    colorbar = fig.colorbar(image, ax=list(axes), shrink=0.9, pad=0.02)
    colorbar.set_label(value_label)
    return fig


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


def cell_inches(maze: Maze, n_panels: int) -> float:
    """The side of one cell on paper: as large as fits a panel, at most MAX_CELL_INCHES."""
    width, height = MAZE_PANEL_INCHES
    if n_panels > 1:
        width = min(width, 18.0 / n_panels)
    return min(MAX_CELL_INCHES, width / maze.cols, height / maze.rows)


def maze_figure_size(maze: Maze, n_panels: int, cell: float) -> tuple[float, float]:
    """Figure size for ``n_panels`` maze panels of ``cell``-inch cells, plus margins."""
    width = n_panels * (maze.cols * cell + 0.8) + 1.4
    height = maze.rows * cell + 1.4
    return width, height


def shared_norm(maze: Maze, grids: Sequence[np.ndarray]) -> Normalize:
    """One colour scale over the free cells of all grids, from min(0, lowest) up."""
    free = ~maze.walls
    values = np.concatenate([grid[free] for grid in grids])
    values = values[np.isfinite(values)]
    low = min(0.0, float(values.min())) if len(values) else 0.0
    high = float(values.max()) if len(values) else 1.0
    if high <= low:
        high = low + 1.0
    return Normalize(vmin=low, vmax=high)


def value_cmap() -> ListedColormap:
    """A light-to-medium sequential colour map, so no value looks like a (dark) wall."""
    base = colormaps[VALUE_CMAP]
    cmap = ListedColormap(base(np.linspace(0.0, VALUE_CMAP_TOP, 256)), name="dynalab-values")
    return cmap.with_extremes(bad=UNKNOWN_COLOR)


def draw_maze(
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
    walls = wall_layer(maze)
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


def wall_layer(maze: Maze) -> np.ndarray:
    """The RGBA layer painted over the values: walls dark, cliffs red, the rest clear."""
    layer = np.zeros((maze.rows, maze.cols, 4))
    layer[maze.walls] = to_rgba(WALL_COLOR)
    for row, col in getattr(maze, "cliffs", ()):
        layer[row, col] = to_rgba(CLIFF_COLOR)
    return layer


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


def draw_arrows(ax: Axes, maze: Maze, mask: np.ndarray) -> None:
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
