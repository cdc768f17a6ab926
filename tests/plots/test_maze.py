"""Tests of the maze maps: values, arrows and markers, counted artist by artist."""

from __future__ import annotations

import time

import numpy as np
import pytest
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.quiver import Quiver

from dynalab import plots
from dynalab.envs.builtin import dyna_maze, swamp_maze
from dynalab.envs.maze import ACTIONS, Maze
from tests.plots.drawn import texts_of

UP, RIGHT, DOWN, LEFT = range(4)


def arrows_of(fig: Figure) -> list[tuple[float, float, float, float]]:
    """Every arrow drawn, as (x, y, u, v) in data coordinates (x column, y row)."""
    arrows = []
    for ax in fig.axes:
        for quiver in (c for c in ax.collections if isinstance(c, Quiver)):
            arrows.extend(zip(quiver.X, quiver.Y, quiver.U, quiver.V, strict=True))
    return arrows


def one_greedy_action_each(maze: Maze) -> list[list[int]]:
    """Ties (up and right) on even states, a single action on odd ones, for every state."""
    return [[UP, RIGHT] if s % 2 == 0 else [s % 4] for s in range(maze.n_states)]


def drawable_entries(maze: Maze, greedy: list[list[int]]) -> int:
    """How many (cell, action) entries sit on free cells that are not goals."""
    return sum(
        len(actions)
        for s, actions in enumerate(greedy)
        if not maze.walls[maze.cell(s)] and maze.cell(s) not in maze.goals
    )


# --- maze_policy (Fig. 8.3 panels) ---------------------------------------------------------


def test_maze_policy_draws_one_arrow_per_greedy_action_on_free_non_goal_cells() -> None:
    maze = dyna_maze()
    greedy = one_greedy_action_each(maze)
    values = np.linspace(0.0, 1.0, maze.n_states)
    fig = plots.maze_policy(maze, values, greedy, title="Dyna maze: greedy policy, run 0")
    assert len(arrows_of(fig)) == drawable_entries(maze, greedy)
    assert drawable_entries(maze, greedy) < sum(len(a) for a in greedy)
    assert fig.get_suptitle() == "Dyna maze: greedy policy, run 0"
    texts = texts_of(fig)
    assert texts.count("S") == 1
    assert texts.count("G") == len(maze.goals)


def test_maze_policy_has_a_heatmap_axes_and_a_colorbar() -> None:
    maze = dyna_maze()
    fig = plots.maze_policy(maze, np.zeros(maze.n_states), [[]] * maze.n_states, title="t")
    assert len(fig.axes) == 2
    assert len(fig.axes[0].images) == 2
    assert fig.axes[1].get_ylabel() == "state value V(s)"
    assert arrows_of(fig) == []


def test_maze_policy_arrows_point_the_way_each_action_moves() -> None:
    maze = dyna_maze()
    row, col = maze.start
    greedy: list[list[int]] = [[] for _ in range(maze.n_states)]
    greedy[maze.state(row, col)] = [UP, RIGHT, DOWN, LEFT]
    fig = plots.maze_policy(maze, np.zeros(maze.n_states), greedy, title="t")
    arrows = arrows_of(fig)
    assert len(arrows) == len(ACTIONS)
    directions = [(np.sign(u), np.sign(v)) for _, _, u, v in arrows]
    assert directions == [(0, -1), (1, 0), (0, 1), (-1, 0)]
    for x, y, _, _ in arrows:
        assert abs(x - col) < 0.5 and abs(y - row) < 0.5


def test_maze_policy_reads_a_boolean_mask_of_greedy_actions() -> None:
    maze = dyna_maze()
    mask = np.zeros((maze.n_states, len(ACTIONS)), dtype=bool)
    mask[:, RIGHT] = True
    fig = plots.maze_policy(maze, np.zeros(maze.n_states), mask, title="t")
    free_non_goal = maze.n_states - int(maze.walls.sum()) - len(maze.goals)
    assert len(arrows_of(fig)) == free_non_goal


@pytest.mark.parametrize(
    "values, greedy",
    [
        (np.zeros(10), [[]] * 54),
        (np.zeros(54), [[]] * 10),
        (np.zeros(54), [[4]] * 54),
        (np.zeros(54), np.zeros((54, 3), dtype=bool)),
    ],
)
def test_maze_policy_refuses_inputs_of_the_wrong_size(values: np.ndarray, greedy: object) -> None:
    with pytest.raises(ValueError):
        plots.maze_policy(dyna_maze(), values, greedy, title="t")


def test_scaled_maze_renders_quickly_without_arrows() -> None:
    maze = dyna_maze(scale=10)
    values = np.linspace(0.0, 1.0, maze.n_states)
    greedy = np.ones((maze.n_states, len(ACTIONS)), dtype=bool)
    started = time.perf_counter()
    fig = plots.maze_policy(maze, values, greedy, title="Dyna maze x10")
    fig.canvas.draw()
    assert time.perf_counter() - started < 3.0
    assert arrows_of(fig) == []


def test_scaled_maze_can_be_asked_for_arrows() -> None:
    maze = dyna_maze(scale=2)
    greedy = one_greedy_action_each(maze)
    fig = plots.maze_policy(maze, np.zeros(maze.n_states), greedy, title="t", arrows=True)
    assert len(arrows_of(fig)) == drawable_entries(maze, greedy)


def test_maze_policy_hatches_swamp_cells_over_their_values() -> None:
    maze = swamp_maze()
    values = np.linspace(0.0, 1.0, maze.n_states)
    greedy = one_greedy_action_each(maze)
    fig = plots.maze_policy(maze, values, greedy, title="swamp maze")
    ax = fig.axes[0]
    (swamps,) = [c for c in ax.collections if c.get_gid() == "swamps"]
    assert swamps.get_hatch() == plots.SWAMP_HATCH
    assert tuple(swamps.get_edgecolor()[0]) == to_rgba(plots.SWAMP_COLOR)
    corners = sorted(
        (int(round(path.vertices[:, 1].min() + 0.5)), int(round(path.vertices[:, 0].min() + 0.5)))
        for path in swamps.get_paths()
    )
    assert corners == sorted(maze.swamps)
    # Swamp cells are stood on: their values stay in the heatmap and they get arrows.
    heatmap = ax.images[0].get_array()
    for row, col in maze.swamps:
        assert not np.ma.is_masked(heatmap[row, col])
        assert heatmap[row, col] == values[maze.state(row, col)]
    assert len(arrows_of(fig)) == drawable_entries(maze, greedy)
    fig.canvas.draw()


def test_mazes_without_swamps_get_no_swamp_hatching() -> None:
    maze = dyna_maze()
    fig = plots.maze_policy(maze, np.zeros(maze.n_states), [[]] * maze.n_states, title="t")
    assert not [c for c in fig.axes[0].collections if c.get_gid() == "swamps"]


# --- maze_policies_side_by_side (Fig. 8.3) -------------------------------------------------


def test_side_by_side_draws_one_panel_per_policy_on_one_colour_scale() -> None:
    maze = dyna_maze()
    no_planning: list[list[int]] = [[] for _ in range(maze.n_states)]
    no_planning[maze.state(1, 8)] = [UP]
    planning = one_greedy_action_each(maze)
    low, high = np.zeros(maze.n_states), np.full(maze.n_states, 0.5)
    fig = plots.maze_policies_side_by_side(
        [("without planning (n=0)", low, no_planning), ("with planning (n=50)", high, planning)],
        maze,
        title="Greedy policies halfway through episode 2",
    )
    panels = fig.axes[:2]
    assert len(fig.axes) == 3
    assert [ax.get_title() for ax in panels] == ["without planning (n=0)", "with planning (n=50)"]
    assert fig.get_suptitle() == "Greedy policies halfway through episode 2"
    assert len(arrows_of(fig)) == 1 + drawable_entries(maze, planning)
    limits = {panel.images[0].get_clim() for panel in panels}
    assert limits == {(0.0, 0.5)}


def test_side_by_side_needs_a_panel() -> None:
    with pytest.raises(ValueError):
        plots.maze_policies_side_by_side([], dyna_maze(), title="t")
