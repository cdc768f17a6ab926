"""Tests of the chapter-8 mazes of Sutton & Barto and of changing mazes."""

from __future__ import annotations

from importlib import resources

import numpy as np
import pytest

from dynalab.envs.builtin import (
    BUILTIN_WORLDS,
    BuiltinWorld,
    ChangingMaze,
    blocking_maze,
    dyna_maze,
    shortcut_maze,
)
from dynalab.envs.ground_truth import value_iteration
from dynalab.envs.maze import Maze, load_maze, parse_maze
from dynalab.envs.mdp import WorldSchedule

UP = 0


def wall_cells(maze: Maze) -> set[tuple[int, int]]:
    return {(int(r), int(c)) for r, c in zip(*np.nonzero(maze.walls), strict=True)}


# --- Dyna maze, Figure 8.2 -----------------------------------------------------------------


def test_dyna_maze_layout() -> None:
    maze = dyna_maze()
    assert (maze.rows, maze.cols) == (6, 9)
    assert maze.start == (2, 0)
    assert maze.goals == ((0, 8),)
    assert wall_cells(maze) == {(1, 2), (2, 2), (3, 2), (4, 5), (0, 7), (1, 7), (2, 7)}
    assert (maze.step_reward, maze.goal_reward, maze.slip, maze.max_steps) == (0, 1, 0, 0)
    assert maze.name == "dyna-maze"


def test_dyna_maze_shortest_path_is_14() -> None:
    assert dyna_maze().shortest_path_length() == 14


def test_dyna_maze_optimal_value() -> None:
    """Reward 1 arrives on the 14th move, so V*(start) = 0.95**13 (Example 8.1, gamma 0.95)."""
    maze = dyna_maze()
    _, values = value_iteration(maze.to_mdp(), gamma=0.95)
    assert values[maze.state(*maze.start)] == pytest.approx(0.95**13, abs=1e-9)


def test_dyna_maze_text_file_matches() -> None:
    resource = resources.files("dynalab.envs").joinpath("mazes/dyna_maze.txt")
    assert parse_maze(resource.read_text(encoding="utf-8")) == dyna_maze()
    with resources.as_file(resource) as path:
        assert load_maze(path) == dyna_maze()


def test_scaled_dyna_maze() -> None:
    small, big = dyna_maze(), dyna_maze(scale=2)
    assert big.n_states == 4 * small.n_states
    assert (~big.walls).sum() == 4 * (~small.walls).sum()
    assert big.name == "dyna-maze:scale=2"
    assert dyna_maze(scale=3).n_states == 9 * small.n_states
    assert big.shortest_path_length() > small.shortest_path_length()


@pytest.mark.parametrize("scale", [0, 2.0, True])
def test_dyna_maze_rejects_bad_scale(scale: object) -> None:
    with pytest.raises(ValueError, match="scale"):
        dyna_maze(scale)  # type: ignore[arg-type]


# --- changing mazes, Figures 8.4 and 8.5 --------------------------------------------------


def test_blocking_maze_switches_at_1000() -> None:
    changing = blocking_maze()
    assert changing.name == "blocking-maze"
    assert changing.switch_steps == (0, 1000)
    before, after = changing.mazes
    assert wall_cells(before) == {(3, c) for c in range(0, 8)}
    assert wall_cells(after) == {(3, c) for c in range(1, 9)}
    assert before.start == after.start == (5, 3)
    assert before.goals == after.goals == ((0, 8),)
    assert before.shortest_path_length() == 10
    assert after.shortest_path_length() == 16
    assert changing.maze_at(999) == before and changing.maze_at(1000) == after

    schedule = changing.to_schedule()
    assert isinstance(schedule, WorldSchedule) and schedule.name == "blocking-maze"
    old, new = schedule.world_at(999), schedule.world_at(1000)
    right_gap, left_gap = before.state(4, 8), before.state(4, 0)
    assert old.next_state[right_gap, UP, 0] == before.state(3, 8)
    assert new.next_state[right_gap, UP, 0] == right_gap
    assert old.next_state[left_gap, UP, 0] == left_gap
    assert new.next_state[left_gap, UP, 0] == before.state(3, 0)


def test_shortcut_maze_switches_at_3000_and_gets_shorter() -> None:
    changing = shortcut_maze()
    assert changing.name == "shortcut-maze"
    assert changing.switch_steps == (0, 3000)
    before, after = changing.mazes
    assert wall_cells(before) == {(3, c) for c in range(1, 9)}
    assert wall_cells(after) == {(3, c) for c in range(1, 8)}
    assert after.shortest_path_length() < before.shortest_path_length()
    assert (before.shortest_path_length(), after.shortest_path_length()) == (16, 10)

    schedule = changing.to_schedule()
    old, new = schedule.world_at(2999), schedule.world_at(3000)
    shortcut = before.state(4, 8)
    assert old.next_state[shortcut, UP, 0] == shortcut
    assert new.next_state[shortcut, UP, 0] == before.state(3, 8)
    # Only the neighbours of the opened cell (3, 8) change; moves from a wall cell are
    # computed as if it were free, so those of (3, 8) itself stay the same.
    differs = (old.next_state != new.next_state).any(axis=(1, 2))
    assert {before.cell(s) for s in np.flatnonzero(differs)} == {(2, 8), (3, 7), (4, 8)}


def test_changing_maze_validation_and_lookup() -> None:
    a = parse_maze("S.G\n")
    b = parse_maze("S#G\n...\n")
    c = a.with_walls(np.array([[False, False, False]]))
    with pytest.raises(ValueError, match="shape"):
        ChangingMaze((a, b), (0, 5))
    with pytest.raises(ValueError, match="step 0"):
        ChangingMaze((a, c), (1, 5))
    with pytest.raises(ValueError, match="increasing"):
        ChangingMaze((a, c, a), (0, 5, 5))
    with pytest.raises(ValueError, match="one switch step per maze"):
        ChangingMaze((a,), (0, 5))
    changing = ChangingMaze((a, c, a), (0, 5, 9), name="x")
    assert changing.first is a
    assert all(changing.maze_at(t) is m for t, m in ((0, a), (4, a), (5, c), (8, c), (9, a)))
    assert changing.to_schedule().switch_steps == (0, 5, 9)
    with pytest.raises(ValueError):
        changing.maze_at(-1)


# --- the registry ---------------------------------------------------------------------------


def test_builtin_worlds_registry() -> None:
    assert set(BUILTIN_WORLDS) == {"dyna-maze", "blocking-maze", "shortcut-maze"}
    for key, world in BUILTIN_WORLDS.items():
        assert isinstance(world, BuiltinWorld)
        assert world.name == key
        assert "Fig" in world.description and "\n" not in world.description
        built = world.build()
        if isinstance(built, ChangingMaze):
            assert world.change_steps == built.switch_steps[1:]
            assert built.name == key
        else:
            assert world.change_steps == ()
            assert built.name == key
    assert BUILTIN_WORLDS["dyna-maze"].build() == dyna_maze()
