"""Tests of the figures: what each function draws, counted artist by artist, and saving."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
from matplotlib.collections import PolyCollection
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.quiver import Quiver

from dynalab import plots
from dynalab.envs.builtin import dyna_maze, swamp_maze
from dynalab.envs.maze import ACTIONS, Maze

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
UP, RIGHT, DOWN, LEFT = range(4)


def band(mean: list[float], half_width: float = 1.0) -> tuple[np.ndarray, ...]:
    values = np.asarray(mean, dtype=float)
    return values, values - half_width, values + half_width


def two_curves() -> dict[str, tuple[np.ndarray, ...]]:
    return {"Q-learning": band([40, 30, 20, 16]), "Dyna-Q n=50": band([35, 15, 14, 14])}


def texts_of(fig: Figure) -> list[str]:
    return [text.get_text() for ax in fig.axes for text in ax.texts]


def bands_of(fig: Figure) -> list[PolyCollection]:
    return [c for c in fig.axes[0].collections if isinstance(c, PolyCollection)]


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


# --- learning_curves (Fig. 8.2) ------------------------------------------------------------


def test_learning_curves_draws_one_line_and_band_per_label_plus_the_reference() -> None:
    fig = plots.learning_curves(
        two_curves(),
        title="Dyna maze: steps per episode, mean of 30 runs",
        reference=14,
        reference_label="shortest path (14)",
    )
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert len(fig.axes) == 1
    assert len(ax.get_lines()) == 2 + 1
    assert len(bands_of(fig)) == 2
    assert fig.get_suptitle() == "Dyna maze: steps per episode, mean of 30 runs"
    assert {"Q-learning", "Dyna-Q n=50", "shortest path (14)"} <= set(texts_of(fig))
    assert ax.get_xlabel() == "episode"
    assert ax.get_ylabel() == "steps per episode"


def test_learning_curves_start_at_episode_one_and_run_from_zero_to_the_highest_bound() -> None:
    fig = plots.learning_curves(two_curves(), title="t")
    ax = fig.axes[0]
    np.testing.assert_array_equal(ax.get_lines()[0].get_xdata(), [1, 2, 3, 4])
    bottom, top = ax.get_ylim()
    assert bottom == 0.0
    assert 41.0 <= top <= 41.0 * 1.1


def test_learning_curves_without_reference_draw_only_the_curves() -> None:
    fig = plots.learning_curves(two_curves(), x=[2, 3, 4, 5], title="t")
    lines = fig.axes[0].get_lines()
    assert len(lines) == 2
    np.testing.assert_array_equal(lines[1].get_xdata(), [2, 3, 4, 5])


def test_learning_curves_log_scale() -> None:
    fig = plots.learning_curves(two_curves(), title="t", log_y=True, reference=14)
    ax = fig.axes[0]
    assert ax.get_yscale() == "log"
    assert ax.get_ylim()[0] > 0
    assert "reference: 14" in texts_of(fig)


def test_learning_curves_labels_that_end_together_do_not_overlap() -> None:
    curves = {name: band([50, 20, 14]) for name in ("a", "b", "c")}
    fig = plots.learning_curves(curves, title="t", reference=14)
    heights = sorted(text.xyann[1] for text in fig.axes[0].texts)
    assert len(heights) == 4
    assert min(np.diff(heights)) > 0.02


def test_learning_curves_skip_missing_episodes_when_labelling() -> None:
    mean, low, high = band([30, 20, np.nan])
    fig = plots.learning_curves({"unfinished": (mean, low, high)}, title="t")
    assert texts_of(fig) == ["unfinished"]


@pytest.mark.parametrize(
    "curves, x",
    [
        ({}, None),
        ({"a": (np.ones(3), np.ones(2), np.ones(3))}, None),
        ({"a": band([1, 2, 3])}, [1, 2]),
    ],
)
def test_learning_curves_refuse_bad_shapes(curves: dict, x: list | None) -> None:
    with pytest.raises(ValueError):
        plots.learning_curves(curves, x=x, title="t")


# --- cumulative_reward (Figs. 8.4, 8.5) ----------------------------------------------------


def test_cumulative_reward_marks_each_world_change() -> None:
    steps = np.arange(0, 3000, 100)
    curves = {
        "Dyna-Q+": band(list(steps / 20.0)),
        "Dyna-Q": band(list(steps / 25.0)),
        "Q-learning": band(list(steps / 60.0)),
    }
    fig = plots.cumulative_reward(
        curves, steps, changes=[1000, 2000], title="Blocking maze: cumulative reward, 20 runs"
    )
    ax = fig.axes[0]
    assert len(ax.get_lines()) == 3 + 2
    assert len(bands_of(fig)) == 3
    vertical = [line for line in ax.get_lines() if line.get_label().startswith("_")]
    assert sorted(line.get_xdata()[0] for line in vertical) == [1000, 2000]
    assert texts_of(fig).count("world changes") == 2
    assert {"Dyna-Q+", "Dyna-Q", "Q-learning"} <= set(texts_of(fig))
    assert "20 runs" in fig.get_suptitle()
    assert ax.get_xlabel() == "time steps"
    assert ax.get_ylabel() == "cumulative reward"


def test_cumulative_reward_refuses_steps_of_another_length() -> None:
    with pytest.raises(ValueError, match="x has 2"):
        plots.cumulative_reward({"a": band([0, 1, 2])}, np.arange(2), changes=[], title="t")


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


# --- frontier ------------------------------------------------------------------------------


def test_frontier_draws_error_bars_both_ways_per_label() -> None:
    n = np.array([0.0, 5.0, 50.0])
    points = {
        "Dyna-Q": (
            n * 100 + 10,
            n * 90 + 9,
            n * 110 + 11,
            500 / (n + 1),
            400 / (n + 1),
            600 / (n + 1),
        ),
        "Q-learning": (10.0, 9.0, 11.0, 500.0, 450.0, 550.0),
    }
    fig = plots.frontier(
        points,
        xlabel="planning updates",
        ylabel="real steps to solve",
        title="Trade-off, mean of 30 runs",
    )
    ax = fig.axes[0]
    assert len(ax.containers) == 2
    for container in ax.containers:
        assert container.has_xerr and container.has_yerr
    data_lines = [container.lines[0] for container in ax.containers]
    assert [len(line.get_xdata()) for line in data_lines] == [3, 1]
    assert data_lines[0].get_linestyle() == "-"
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    legend = [text.get_text() for text in ax.get_legend().get_texts()]
    assert legend == ["Dyna-Q", "Q-learning"]
    assert fig.get_suptitle() == "Trade-off, mean of 30 runs"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("planning updates", "real steps to solve")


def test_frontier_linear_axes_and_bad_points() -> None:
    fig = plots.frontier(
        {"a": (1.0, 0.5, 1.5, 2.0, 1.0, 3.0)},
        xlabel="x",
        ylabel="y",
        title="t",
        log_x=False,
        log_y=False,
    )
    assert fig.axes[0].get_xscale() == "linear"
    with pytest.raises(ValueError):
        plots.frontier({"a": (1.0, 0.5, 1.5)}, xlabel="x", ylabel="y", title="t")  # type: ignore[dict-item]
    with pytest.raises(ValueError):
        plots.frontier({}, xlabel="x", ylabel="y", title="t")


# --- save_figure ---------------------------------------------------------------------------


def test_save_figure_writes_a_png_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    fig = plots.learning_curves(two_curves(), title="t")
    target = tmp_path / "runs" / "curves.png"
    written = plots.save_figure(fig, target)
    assert written == target
    assert target.read_bytes()[:8] == PNG_MAGIC
    assert [p.name for p in (tmp_path / "runs").iterdir()] == ["curves.png"]


def test_save_figure_replaces_an_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "maze.png"
    target.write_bytes(b"old")
    maze = dyna_maze()
    fig = plots.maze_policy(maze, np.zeros(maze.n_states), [[]] * maze.n_states, title="t")
    plots.save_figure(fig, str(target))
    assert target.read_bytes()[:8] == PNG_MAGIC
    assert [p.name for p in tmp_path.iterdir()] == ["maze.png"]


def test_save_figure_cleans_up_when_drawing_fails(tmp_path: Path) -> None:
    fig = plots.learning_curves(two_curves(), title="t")
    fig.axes[0].text(0, 0, "$\\undefinedcommand$")
    with pytest.raises(ValueError):
        plots.save_figure(fig, tmp_path / "broken.png")
    assert list(tmp_path.iterdir()) == []


def test_save_figure_only_writes_png(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=".png"):
        plots.save_figure(Figure(), tmp_path / "figure.svg")
