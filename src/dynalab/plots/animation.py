"""Moving maze maps: value heatmaps, greedy arrows and the agent, frame by frame.

The book tells Dyna-Q's story with Fig. 8.3: halfway through the second episode the
agent without planning has learned one step of its path, the one planning 50 times per
step has learned most of it. :func:`maze_animation` shows that happening: one panel per
agent, each frame a snapshot of its Q table (``dynalab.run.frames``) drawn as V = max_a Q
with greedy arrows, the agent's cell, and its real-step and planning-update counters.
All frames and panels share one colour scale, so colour spreading from the goal is
value spreading. Walls follow the world in force (the blocking and shortcut mazes change
on screen), and a panel may outline the cells whose values changed since the previous
frame (prioritized sweeping's queue at work). Numbers come in already computed, as for
every figure of ``dynalab.plots``.
"""

from __future__ import annotations

import base64
import html
import io
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PatchCollection
from matplotlib.colors import Normalize, PowerNorm
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from PIL import Image

from dynalab.atomic_files import atomic_write_bytes
from dynalab.envs.maze import Maze
from dynalab.plots.maze import (
    cell_inches,
    draw_arrows,
    draw_maze,
    maze_figure_size,
    shared_norm,
    value_cmap,
    wall_layer,
)
from dynalab.plots.style import NOTE_FONT_SIZE, suptitle

AGENT_COLOR = "#e67e22"
CHANGED_COLOR = "#d62728"
ANIMATION_SUFFIXES = (".gif", ".html", ".png")
STRIP_FRAMES = 4
ANIMATION_DPI = 72
"""Dots per inch of a frame: a two-panel Dyna-maze frame is then about 800 x 330 pixels,
and the default animation's GIF a few MB."""


@dataclass(frozen=True)
class AnimationPanel:
    """One agent's run as frames: ``values[f]`` (V per state), ``greedy[f]`` (a boolean
    state x action mask of the arrows to draw), ``state[f]`` (the agent's cell, -1 for
    none), ``caption[f]`` (the counters line), ``world[f]`` (index of the maze in force)
    and, optionally, ``changed[f]`` (states to outline) and ``path[f]`` (the cells of a
    greedy evaluation episode from the start, drawn as a line ending at the agent)."""

    label: str
    values: np.ndarray
    greedy: np.ndarray
    state: np.ndarray
    caption: Sequence[str]
    world: np.ndarray
    changed: np.ndarray | None = None
    path: Sequence[np.ndarray] | None = None


def maze_animation(
    mazes: Sequence[Maze], panels: Sequence[AnimationPanel], *, title: str
) -> Iterator[Image.Image]:
    """The panels side by side, advancing together one frame at a time, as images;
    ``mazes[w]`` is the maze of world ``w``. Every panel needs the same number of frames.

    The layout is computed once, on the first frame, then frozen: each frame is one
    draw of the figure (matplotlib's ``FuncAnimation`` draws every frame two or three
    times and lays it out twice, measured 1 s per frame instead of about 0.1 s).
    """
    if not panels:
        raise ValueError("maze_animation needs at least one panel")
    frames = len(panels[0].caption)
    if any(len(panel.caption) != frames for panel in panels):
        raise ValueError("every panel needs the same number of frames")
    first = mazes[0]
    cell = cell_inches(first, len(panels))
    width, height = maze_figure_size(first, len(panels), cell)
    fig = Figure(
        figsize=(width, height + 0.3),  # room for each panel's two-line caption
        dpi=ANIMATION_DPI,
        layout="constrained",
    )
    canvas = FigureCanvasAgg(fig)
    suptitle(fig, title)
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    norm = _frames_norm(first, panels)
    updaters = [
        _panel_updater(ax, mazes, panel, norm, cell) for ax, panel in zip(axes, panels, strict=True)
    ]
    colorbar = fig.colorbar(axes[0].images[0], ax=list(axes), shrink=0.9, pad=0.02)
    colorbar.set_label("V(s) = max_a Q(s, a) (square-root scale)")
    for frame in range(frames):
        for update in updaters:
            update(frame)
        canvas.draw()
        if frame == 0:
            fig.set_layout_engine("none")
        yield Image.fromarray(np.asarray(canvas.buffer_rgba())).convert("RGB")


def save_animation(frames: Iterable[Image.Image], path: str | os.PathLike[str], fps: float) -> Path:
    """Write ``frames`` as an animated GIF (``.gif``, played once), as a self-contained
    page that shows it (``.html``, the GIF inline), or as a still strip of
    :data:`STRIP_FRAMES` evenly spaced frames, one above the other (``.png``, for a page
    or a slide), atomically: a temporary file, then one rename, so a crash never leaves
    half an animation."""
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in ANIMATION_SUFFIXES:
        raise ValueError(f"animations are written as .gif, .html or .png, got {path}")
    target.parent.mkdir(parents=True, exist_ok=True)
    images = list(frames)
    if suffix == ".png":
        atomic_write_bytes(target, _strip(images))
        return target
    gif = gif_bytes(images, fps)
    if suffix == ".gif":
        atomic_write_bytes(target, gif)
    else:
        atomic_write_bytes(target, _gif_page(gif, target.stem).encode("utf-8"))
    return target


def gif_bytes(images: Sequence[Image.Image], fps: float) -> bytes:
    """``images`` as an animated GIF played once at ``fps`` frames per second, on one
    palette (:func:`_on_one_palette`)."""
    frames = _on_one_palette(list(images))
    gif = io.BytesIO()
    frames[0].save(
        gif,
        format="GIF",
        save_all=True,
        append_images=frames[1:],
        duration=round(1000.0 / fps),
        optimize=False,
    )
    return gif.getvalue()


def _strip(images: list[Image.Image]) -> bytes:
    """:data:`STRIP_FRAMES` evenly spaced frames (the first and the last among them),
    one above the other, as PNG bytes."""
    count = min(STRIP_FRAMES, len(images))
    picks = [images[round(i * (len(images) - 1) / max(1, count - 1))] for i in range(count)]
    strip = Image.new("RGB", (picks[0].width, picks[0].height * count), "white")
    for i, image in enumerate(picks):
        strip.paste(image, (0, i * image.height))
    data = io.BytesIO()
    strip.save(data, format="PNG", optimize=True)
    return data.getvalue()


def _on_one_palette(images: list[Image.Image]) -> list[Image.Image]:
    """Every frame in the colours of one palette, drawn from the first, middle and last
    frames, without dithering: unchanged pixels stay identical from frame to frame, so
    the GIF stores little more than what moved (measured: 0.7 MB against 2.9 MB with a
    palette per frame, for the default animation)."""
    picks = [images[0], images[len(images) // 2], images[-1]]
    strip = Image.new("RGB", (picks[0].width, picks[0].height * len(picks)))
    for i, image in enumerate(picks):
        strip.paste(image, (0, i * image.height))
    palette = strip.quantize(colors=255, dither=Image.Dither.NONE)
    return [image.quantize(palette=palette, dither=Image.Dither.NONE) for image in images]


def _gif_page(gif: bytes, title: str) -> str:
    """A page showing the GIF inline (base64): it needs no other file and no network."""
    data = base64.b64encode(gif).decode("ascii")
    name = html.escape(title)
    return (
        f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{name}</title></head>'
        f'<body><img alt="{name}" src="data:image/gif;base64,{data}"></body></html>\n'
    )


def _frames_norm(maze: Maze, panels: Sequence[AnimationPanel]) -> Normalize:
    """One colour scale over every frame of every panel, on a square-root scale: values
    spread back from the goal discounted (gamma^k), and small values must still show."""
    grids = [values.reshape(-1, maze.rows, maze.cols) for values in (p.values for p in panels)]
    linear = shared_norm(maze, [grid for stack in grids for grid in (stack.min(0), stack.max(0))])
    return PowerNorm(0.5, vmin=linear.vmin, vmax=linear.vmax)


def _panel_updater(
    ax: Axes, mazes: Sequence[Maze], panel: AnimationPanel, norm: Normalize, cell: float
):  # noqa: ANN202 - returns the per-frame update of this panel
    """Draw the panel's fixed parts; return the function that moves it to frame ``f``."""
    maze = mazes[0]
    image = draw_maze(
        ax, maze, panel.values[0].reshape(maze.rows, maze.cols), norm, value_cmap(), cell
    )
    walls_image = ax.images[-1]
    (agent,) = ax.plot(
        [], [], "o", color=AGENT_COLOR, markersize=9, markeredgecolor="black", zorder=5
    )
    (trail,) = ax.plot([], [], "-", color=AGENT_COLOR, linewidth=2.5, alpha=0.85, zorder=4.5)
    ax.set_xticks([])  # the cells speak for themselves; tick labels cost a third of a frame
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    caption = ax.set_title("", fontsize=NOTE_FONT_SIZE + 1)
    for (row, col), letter in [(maze.start, "S")] + [(goal, "G") for goal in maze.goals]:
        ax.text(col, row, letter, ha="center", va="center", fontweight="bold", zorder=4)
    arrows: list = []
    shown_world = [0]

    def update(frame: int) -> None:
        world_maze = mazes[int(panel.world[frame])]
        if panel.world[frame] != shown_world[0]:
            walls_image.set_data(wall_layer(world_maze))
            shown_world[0] = int(panel.world[frame])
        policy_cells = _policy_cells(world_maze)
        grid = panel.values[frame].reshape(maze.rows, maze.cols)
        hidden = ~policy_cells.reshape(maze.rows, maze.cols) | ~np.isfinite(grid)
        image.set_data(np.ma.masked_array(grid, mask=hidden))
        for artist in arrows:
            artist.remove()
        arrows.clear()
        before = set(ax.collections)
        draw_arrows(ax, world_maze, panel.greedy[frame] & policy_cells[:, None])
        arrows.extend(c for c in ax.collections if c not in before)
        if panel.changed is not None:
            changed = np.flatnonzero(panel.changed[frame] & policy_cells)
            arrows.append(_outline_cells(ax, changed, maze.cols))
        state = int(panel.state[frame])
        if panel.path is not None:
            rows, cols = np.divmod(np.asarray(panel.path[frame]), maze.cols)
            trail.set_data(cols, rows)
            state = int(panel.path[frame][-1]) if len(panel.path[frame]) else -1
        if state >= 0:
            row, col = divmod(state, maze.cols)
            agent.set_data([col], [row])
        else:
            agent.set_data([], [])
        caption.set_text(f"{panel.label}\n{panel.caption[frame]}")

    return update


def _policy_cells(maze: Maze) -> np.ndarray:
    """Per state, whether it has a value and a policy to show: free and not a goal (a
    wall that moved in keeps its stale values, and a network's Q at a goal, where no
    action is ever taken, means nothing; neither is drawn)."""
    cells = ~maze.walls.ravel()
    for goal in maze.goals:
        cells[maze.state(*goal)] = False
    return cells


def _outline_cells(ax: Axes, states: np.ndarray, cols: int) -> PatchCollection:
    """A red square around each of ``states``' cells."""
    rows, columns = np.divmod(states, cols)
    squares = [
        Rectangle((c - 0.45, r - 0.45), 0.9, 0.9) for r, c in zip(rows, columns, strict=True)
    ]
    return ax.add_collection(
        PatchCollection(
            squares, facecolor="none", edgecolor=CHANGED_COLOR, linewidth=1.0, zorder=3.5
        )
    )
