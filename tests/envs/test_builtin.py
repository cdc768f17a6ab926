"""Tests of the chapter-8 mazes of Sutton & Barto and of changing mazes."""

from __future__ import annotations

import dataclasses
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
    slippery_cliff,
    swamp_maze,
)
from dynalab.envs.ground_truth import evaluate_policy, greedy_path_length, value_iteration
from dynalab.envs.maze import Maze
from dynalab.envs.maze_text import load_maze, parse_maze
from dynalab.envs.mdp import WorldSchedule

UP, RIGHT, DOWN, LEFT = range(4)


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


# --- slippery cliff, after Example 6.6 -------------------------------------------------------


def test_slippery_cliff_layout_and_settings() -> None:
    maze = slippery_cliff()
    assert maze.name == "slippery-cliff"
    assert (maze.rows, maze.cols) == (4, 12)
    assert (maze.start, maze.goals) == ((3, 0), ((3, 11),))
    assert maze.cliffs == tuple((3, col) for col in range(1, 11))
    assert not maze.walls.any()
    assert (maze.slip, maze.step_reward, maze.goal_reward, maze.cliff_reward) == (
        0.1,
        -1,
        0,
        -100,
    )
    assert maze.max_steps == 200
    # Up, 11 moves along the edge row, down into the goal.
    assert maze.shortest_path_length() == 13


def test_slippery_cliff_text_file_matches() -> None:
    resource = resources.files("dynalab.envs").joinpath("mazes/slippery_cliff.txt")
    assert parse_maze(resource.read_text(encoding="utf-8")) == slippery_cliff()
    with resources.as_file(resource) as path:
        assert load_maze(path) == slippery_cliff()


def test_slippery_cliff_falls_from_the_edge() -> None:
    """From (2, 1), above the first cliff cell, with slip 0.1 (by hand): moving right
    falls with 0.1/4 = 0.025 (a slip down); moving down falls with 0.9 + 0.025."""
    maze = slippery_cliff()
    mdp = maze.to_mdp()
    s = maze.state(2, 1)
    cliff = maze.state(3, 1)
    for action, fall in ((RIGHT, 0.025), (DOWN, 0.925), (UP, 0.025), (LEFT, 0.025)):
        into = mdp.next_state[s, action] == cliff
        assert mdp.prob[s, action][into].sum() == pytest.approx(fall)
        assert mdp.terminal[s, action][into].all() and (mdp.reward[s, action][into] == -100).all()
    # The start is beside one cliff cell: moving up still falls with 0.025.
    start = maze.state(3, 0)
    assert mdp.prob[start, UP][mdp.next_state[start, UP] == cliff].sum() == pytest.approx(0.025)


def most_likely_greedy_path(maze: Maze, q_values: np.ndarray) -> list[tuple[int, int]]:
    """Cells the greedy policy of Q visits from the start when each move has its most
    likely outcome, the final (terminal) cell included."""
    mdp = maze.to_mdp()
    state, path = maze.state(*maze.start), [maze.start]
    for _ in range(maze.n_states):
        action = int(np.argmax(q_values[state]))
        k = int(np.argmax(mdp.prob[state, action]))
        ends = bool(mdp.terminal[state, action, k])
        state = int(mdp.next_state[state, action, k])
        path.append(maze.cell(state))
        if ends:
            return path
    raise AssertionError(f"greedy path does not end: {path}")


def test_slippery_cliff_optimal_path_keeps_off_the_edge() -> None:
    """Under slips the optimal policy walks a row away from the edge; without them it
    walks the edge (like Sarsa's safer path and Q-learning's edge path in Example 6.6,
    here forced by slips rather than by exploration).

    Every move costs -1 and falling costs -100, so gamma = 1 is fine: a policy that never
    ends an episode has value -infinity, so value iteration settles on a policy that
    ends them. On the edge row every step falls with probability 0.025 (a slip down),
    about 10 chances to lose 100; from row 1 no single slip reaches the cliff, so the
    detour's 2 extra moves are worth it.
    """
    slippery = slippery_cliff()
    q_slip, v_slip = value_iteration(slippery.to_mdp(), gamma=1.0)
    start = slippery.state(*slippery.start)

    # Most likely path: up twice to row 1, right along row 1 to the last column, down to
    # the goal. It never steps on the edge row (row 2) except at the two ends.
    path = most_likely_greedy_path(slippery, q_slip)
    assert path == [(3, 0), (2, 0), (1, 0), *((1, c) for c in range(1, 12)), (2, 11), (3, 11)]
    assert not any(row == 2 and 1 <= col <= 10 for row, col in path)
    assert path[1][0] < path[0][0]  # the first move is up, away from the cliff
    mdp = slippery.to_mdp()
    length = greedy_path_length(mdp.next_state, mdp.prob, mdp.terminal, start, q_slip, 100)
    assert length == 15
    # Above the first cliff cell, Q* prefers up (away from the edge) to right (along it).
    above = slippery.state(2, 1)
    assert int(np.argmax(q_slip[above])) == UP
    assert q_slip[above, UP] > q_slip[above, RIGHT] > q_slip[above, DOWN]

    # The same maze without slips: the optimal path is the edge row, 13 moves, return -12
    # (12 moves at -1, the 13th into the goal at 0).
    steady = dataclasses.replace(slippery, slip=0.0)
    q_steady, v_steady = value_iteration(steady.to_mdp(), gamma=1.0)
    assert v_steady[start] == pytest.approx(-12.0)
    edge_path = most_likely_greedy_path(steady, q_steady)
    assert edge_path == [(3, 0), *((2, c) for c in range(12)), (3, 11)]

    # Trusting the deterministic model is costly: the edge policy, run in the slippery
    # world, is far worse than the safe optimum (about -34.6 against -19.0).
    edge_policy = np.argmax(q_steady, axis=1)
    v_edge = evaluate_policy(slippery.to_mdp(), edge_policy, gamma=1.0)
    assert v_slip[start] == pytest.approx(-19.03, abs=0.01)
    assert v_edge[start] == pytest.approx(-34.58, abs=0.01)
    assert v_edge[start] < v_slip[start] - 10


# --- swamp maze -----------------------------------------------------------------------------


def test_swamp_maze_layout_and_settings() -> None:
    maze = swamp_maze()
    assert maze.name == "swamp-maze"
    assert (maze.rows, maze.cols) == (6, 9)
    assert (maze.start, maze.goals) == ((5, 0), ((0, 0),))
    assert maze.swamps == tuple((2, col) for col in range(8))
    assert maze.cliffs == () and not maze.walls.any()
    assert (maze.slip, maze.step_reward, maze.goal_reward, maze.swamp_reward) == (0, 0, 1, -5)
    assert maze.max_steps == 1000
    # Straight up through the swamp (shortest_path_length counts moves, not reward).
    assert maze.shortest_path_length() == 5


def test_swamp_maze_text_file_matches() -> None:
    resource = resources.files("dynalab.envs").joinpath("mazes/swamp_maze.txt")
    assert parse_maze(resource.read_text(encoding="utf-8")) == swamp_maze()
    with resources.as_file(resource) as path:
        assert load_maze(path) == swamp_maze()
    assert (
        swamp_maze()
        .to_text()
        .endswith("G........\n.........\n~~~~~~~~.\n.........\n.........\nS........\n")
    )


def test_swamp_maze_optimal_path_goes_round_the_swamp() -> None:
    """At gamma 0.95 the dry way round is optimal, V*(start) = 0.95**20 (by hand).

    The swamp is row 2, cols 0-7, so every path to the goal crosses row 2 either at the
    dry cell (2, 8) or in the swamp, where the crossing costs exactly one swamp move.

    * Dry: at least 11 moves from (5, 0) to (2, 8), then 10 to (0, 0): 21 moves, only the
      last rewarded (+1), worth 0.95**20 = 0.3585.
    * Through the swamp at column c (0..7): 2 + c moves to (3, c), the swamp move (the
      (3 + c)-th, reward -5), then 2 + c more to the goal, 5 + 2c moves in all, worth
      0.95**(4 + 2c) - 5 * 0.95**(2 + c) < 0 (at best -2.754, c = 7); straight up (c = 0,
      5 moves) is worth 0.95**4 - 5 * 0.95**2 = -3.698.
    * Never reaching the goal is worth 0.
    """
    maze = swamp_maze()
    mdp = maze.to_mdp()
    start = maze.state(*maze.start)
    q_values, values = value_iteration(mdp, gamma=0.95)
    assert values[start] == pytest.approx(0.95**20, abs=1e-9)
    assert values[start] == pytest.approx(0.35849, abs=1e-5)
    through = [0.95 ** (4 + 2 * c) - 5 * 0.95 ** (2 + c) for c in range(8)]
    assert through[0] == pytest.approx(0.95**4 - 5 * 0.95**2) and max(through) < 0
    path = most_likely_greedy_path(maze, q_values)
    assert len(path) - 1 == 21
    assert not set(path) & set(maze.swamps)
    assert (2, 8) in path
    assert greedy_path_length(mdp.next_state, mdp.prob, mdp.terminal, start, q_values, 100) == 21
    # Below the swamp at (3, 0): stepping up into it costs -5, then 2 dry moves reach the
    # goal, -5 + 0.95 * 0.95 = -4.0975; going right, 19 moves round, is worth 0.95**18.
    below = maze.state(3, 0)
    assert q_values[below, UP] == pytest.approx(-5 + 0.95 * 0.95)
    assert q_values[below, RIGHT] == pytest.approx(0.95**18)


def test_swamp_maze_seen_as_dry_land_is_crossed_and_costs() -> None:
    """A model that takes the swamp for dry land (swamp reward 0) plans straight up, 5
    moves, worth 0.95**4 in its belief; in the real maze that policy is worth
    0.95**4 - 5 * 0.95**2 = -3.698, against 0.95**20 = 0.358 for the optimal one."""
    maze = swamp_maze()
    believed = dataclasses.replace(maze, swamp_reward=0.0)
    q_believed, v_believed = value_iteration(believed.to_mdp(), gamma=0.95)
    start = maze.state(*maze.start)
    assert v_believed[start] == pytest.approx(0.95**4)
    assert most_likely_greedy_path(believed, q_believed) == [(row, 0) for row in range(5, -1, -1)]
    trusting = np.argmax(q_believed, axis=1)
    v_trusting = evaluate_policy(maze.to_mdp(), trusting, gamma=0.95)
    assert v_trusting[start] == pytest.approx(0.95**4 - 5 * 0.95**2)
    assert v_trusting[start] < 0 < 0.95**20


# --- the registry ---------------------------------------------------------------------------


def test_builtin_worlds_registry() -> None:
    assert set(BUILTIN_WORLDS) == {
        "dyna-maze",
        "blocking-maze",
        "shortcut-maze",
        "slippery-cliff",
        "swamp-maze",
    }
    for key, world in BUILTIN_WORLDS.items():
        assert isinstance(world, BuiltinWorld)
        assert world.name == key
        assert world.description and "\n" not in world.description
        if key != "swamp-maze":  # the worlds taken from the book cite it
            assert "Sutton & Barto" in world.description
            assert "Fig" in world.description or "Example" in world.description
        built = world.build()
        if isinstance(built, ChangingMaze):
            assert world.change_steps == built.switch_steps[1:]
            assert built.name == key
        else:
            assert world.change_steps == ()
            assert built.name == key
    assert BUILTIN_WORLDS["dyna-maze"].build() == dyna_maze()
    assert BUILTIN_WORLDS["slippery-cliff"].build() == slippery_cliff()
    description = BUILTIN_WORLDS["slippery-cliff"].description
    assert "Example 6.6" in description and "cliff edge" in description
    assert BUILTIN_WORLDS["swamp-maze"].build() == swamp_maze()
    assert "swamp" in BUILTIN_WORLDS["swamp-maze"].description
