"""Tests of the Maze class: its geometry, validation, scaling and changed walls."""

from __future__ import annotations

import numpy as np
import pytest

from dynalab.envs.maze import ACTION_DELTAS, ACTIONS, Maze, MazeError
from dynalab.envs.maze_text import parse_maze

RIGHT, DOWN = ACTIONS.index("right"), ACTIONS.index("down")


# --- geometry ----------------------------------------------------------------------------


def test_actions_and_state_numbering() -> None:
    assert ACTIONS == ("up", "right", "down", "left")
    assert ACTION_DELTAS == ((-1, 0), (0, 1), (1, 0), (0, -1))
    maze = parse_maze("S...\n...G\n")
    assert (maze.rows, maze.cols, maze.n_states, maze.n_actions) == (2, 4, 8, 4)
    assert maze.state(1, 2) == 6
    assert all(maze.cell(maze.state(r, c)) == (r, c) for r in range(2) for c in range(4))


def test_shortest_path_length() -> None:
    assert parse_maze("S...\n.##.\n...G\n").shortest_path_length() == 5
    assert parse_maze("S.G\n...\nG..\n").shortest_path_length() == 2
    blocked = Maze(walls=np.array([[False, True, False]]), start=(0, 0), goals=((0, 2),))
    with pytest.raises(MazeError, match="no goal can be reached"):
        blocked.shortest_path_length()


# --- construction, scaling, changed walls --------------------------------------------------


def test_maze_validates_its_fields() -> None:
    walls = np.zeros((2, 2), dtype=bool)
    walls[1, 1] = True
    with pytest.raises(ValueError, match="goal"):
        Maze(walls=walls, start=(0, 0), goals=((1, 1),))
    with pytest.raises(ValueError, match="outside"):
        Maze(walls=walls, start=(2, 0), goals=((0, 1),))
    with pytest.raises(ValueError, match="also a goal"):
        Maze(walls=walls, start=(0, 0), goals=((0, 0),))
    with pytest.raises(ValueError, match="slip"):
        Maze(walls=walls, start=(0, 0), goals=((0, 1),), slip=1.5)
    with pytest.raises(ValueError, match="name"):
        Maze(walls=walls, start=(0, 0), goals=((0, 1),), name="a\nb")


@pytest.mark.parametrize(
    ("cliffs", "detail"),
    [
        (((1, 1),), "cliff .* is on a wall"),
        (((0, 0),), "also a cliff"),
        (((0, 1),), "goal .* is also a cliff"),
        (((2, 0),), "cliff .* is outside"),
        (((1,),), "cliff must be a .row, col. pair"),
        ((("a", 0),), "cliff must be a pair of ints"),
        (5, "cliffs must be a sequence"),
    ],
)
def test_maze_validates_cliffs(cliffs: object, detail: str) -> None:
    walls = np.zeros((2, 2), dtype=bool)
    walls[1, 1] = True
    with pytest.raises(ValueError, match=detail):
        Maze(walls=walls, start=(0, 0), goals=((0, 1),), cliffs=cliffs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("swamps", "detail"),
    [
        (((1, 1),), "swamp .* is on a wall"),
        (((0, 0),), "start .* is also a swamp"),
        (((0, 1),), "goal .* is also a swamp"),
        (((1, 0),), "cliff .* is also a swamp"),
        (((2, 0),), "swamp .* is outside"),
        (((1,),), "swamp must be a .row, col. pair"),
        ((("a", 0),), "swamp must be a pair of ints"),
        ((((True, 0)),), "swamp must be a pair of ints"),
        (5, "swamps must be a sequence"),
    ],
)
def test_maze_validates_swamps(swamps: object, detail: str) -> None:
    walls = np.zeros((2, 2), dtype=bool)
    walls[1, 1] = True
    with pytest.raises(ValueError, match=detail):
        Maze(walls=walls, start=(0, 0), goals=((0, 1),), cliffs=((1, 0),), swamps=swamps)  # type: ignore[arg-type]


@pytest.mark.parametrize("reward", [float("nan"), float("inf"), -float("inf"), "1", None])
def test_maze_validates_swamp_reward(reward: object) -> None:
    walls = np.zeros((2, 2), dtype=bool)
    with pytest.raises(ValueError, match="swamp_reward must be a finite number"):
        Maze(walls=walls, start=(0, 0), goals=((0, 1),), swamp_reward=reward)  # type: ignore[arg-type]


def test_swamps_are_kept_sorted_and_count_in_equality() -> None:
    walls = np.zeros((3, 3), dtype=bool)
    given = [(1, 2), (1, 0), (1, 2)]
    maze = Maze(walls=walls, start=(0, 0), goals=((2, 2),), swamps=given)  # type: ignore[arg-type]
    assert maze.swamps == ((1, 0), (1, 2))
    assert maze == Maze(walls=walls, start=(0, 0), goals=((2, 2),), swamps=((1, 0), (1, 2)))
    assert maze != Maze(walls=walls, start=(0, 0), goals=((2, 2),), swamps=((1, 0),))
    assert maze != Maze(walls=walls, start=(0, 0), goals=((2, 2),))
    # Swamps are not cliffs, though on the same cells.
    assert maze != Maze(walls=walls, start=(0, 0), goals=((2, 2),), cliffs=((1, 0), (1, 2)))
    assert maze != Maze(
        walls=walls, start=(0, 0), goals=((2, 2),), swamps=((1, 0), (1, 2)), swamp_reward=-2
    )
    assert hash(maze) == hash(parse_maze(maze.to_text()))
    assert maze.swamp_reward == -1.0 and isinstance(
        Maze(walls=walls, start=(0, 0), goals=((2, 2),), swamp_reward=-3).swamp_reward, float
    )


def test_maze_validates_cliff_reward() -> None:
    walls = np.zeros((2, 2), dtype=bool)
    with pytest.raises(ValueError, match="cliff_reward"):
        Maze(walls=walls, start=(0, 0), goals=((0, 1),), cliff_reward=float("nan"))


def test_cliffs_are_kept_sorted_and_count_in_equality() -> None:
    walls = np.zeros((3, 3), dtype=bool)
    given = [(1, 2), (1, 0), (1, 2)]
    maze = Maze(walls=walls, start=(0, 0), goals=((2, 2),), cliffs=given)  # type: ignore[arg-type]
    assert maze.cliffs == ((1, 0), (1, 2))
    assert maze == Maze(walls=walls, start=(0, 0), goals=((2, 2),), cliffs=((1, 0), (1, 2)))
    assert maze != Maze(walls=walls, start=(0, 0), goals=((2, 2),), cliffs=((1, 0),))
    assert maze != Maze(
        walls=walls, start=(0, 0), goals=((2, 2),), cliffs=((1, 0), (1, 2)), cliff_reward=-1
    )
    assert hash(maze) == hash(parse_maze(maze.to_text()))


def test_goals_are_kept_sorted_and_walls_read_only() -> None:
    walls = np.zeros((2, 2), dtype=bool)
    maze = Maze(walls=walls, start=(0, 0), goals=[(1, 1), (0, 1)])  # type: ignore[arg-type]
    assert maze.goals == ((0, 1), (1, 1))
    walls[0, 1] = True
    assert not maze.walls[0, 1]
    with pytest.raises(ValueError):
        maze.walls[0, 0] = True


def test_scaled_blocks_and_markers() -> None:
    maze = parse_maze("S#\n.G\n")
    big = maze.scaled(3)
    assert big.walls.shape == (6, 6)
    assert big.walls[0:3, 3:6].all() and big.walls.sum() == 9
    assert big.start == (0, 0)
    assert big.goals == ((3, 5),)
    assert big.name == "maze:scale=3"
    assert maze.scaled(1) is maze
    assert big.shortest_path_length() == 8


def test_scaled_cliffs_become_cliff_blocks() -> None:
    maze = parse_maze("cliff_reward: -9\nSC\n.G\n")
    big = maze.scaled(2)
    assert big.cliffs == ((0, 2), (0, 3), (1, 2), (1, 3))
    assert not big.walls.any()
    assert (big.start, big.goals) == ((0, 0), ((2, 3),))
    # Around the cliff block: down 2, right 3.
    assert big.shortest_path_length() == 5
    mdp = big.to_mdp()
    for row in (0, 1):
        s = big.state(row, 1)
        assert mdp.next_state[s, RIGHT, 0] == big.state(row, 2)
        assert mdp.terminal[s, RIGHT, 0] and mdp.reward[s, RIGHT, 0] == -9
    assert parse_maze(big.to_text()) == big


def test_scaled_swamps_become_swamp_blocks() -> None:
    maze = parse_maze("swamp_reward: -3\nS~.\n.#G\n")
    big = maze.scaled(2)
    assert big.swamps == ((0, 2), (0, 3), (1, 2), (1, 3))
    assert big.walls.sum() == 4 and not big.walls[0:2, 2:4].any()
    assert (big.start, big.goals, big.swamp_reward) == ((0, 0), ((2, 5),), -3.0)
    # Straight through the swamp block: right 5, down 2.
    assert big.shortest_path_length() == 7
    mdp = big.to_mdp()
    for row in (0, 1):
        s = big.state(row, 1)
        assert mdp.next_state[s, RIGHT, 0] == big.state(row, 2)
        assert not mdp.terminal[s, RIGHT, 0] and mdp.reward[s, RIGHT, 0] == -3
        inside = big.state(row, 2)
        assert mdp.next_state[inside, RIGHT, 0] == big.state(row, 3)
        assert mdp.reward[inside, RIGHT, 0] == -3
        leaving = big.state(row, 3)
        assert mdp.next_state[leaving, RIGHT, 0] == big.state(row, 4)
        assert mdp.reward[leaving, RIGHT, 0] == 0
    assert parse_maze(big.to_text()) == big
    assert big.to_text() == (
        "name: maze:scale=2\nswamp_reward: -3.0\nS.~~..\n..~~..\n..##.G\n..##..\n"
    )


@pytest.mark.parametrize("factor", [0, -1, 1.5, "2", True])
def test_scaled_rejects_bad_factor(factor: object) -> None:
    with pytest.raises(ValueError, match="factor") as caught:
        parse_maze("SG").scaled(factor)  # type: ignore[arg-type]
    assert len(str(caught.value).splitlines()) == 1


def test_with_walls_keeps_everything_else() -> None:
    maze = parse_maze("slip: 0.2\nS..\n...\n..G\n")
    walls = np.zeros((3, 3), dtype=bool)
    walls[1, :2] = True
    changed = maze.with_walls(walls)
    assert changed.walls.tolist() == walls.tolist()
    assert (changed.start, changed.goals, changed.slip) == (maze.start, maze.goals, 0.2)
    assert changed != maze
    with pytest.raises(ValueError, match="shape"):
        maze.with_walls(np.zeros((2, 3), dtype=bool))


def test_with_walls_keeps_cliffs_and_refuses_a_wall_on_one() -> None:
    maze = parse_maze("S..\nC.C\n..G\n")
    walls = np.zeros((3, 3), dtype=bool)
    walls[0, 2] = True
    assert maze.with_walls(walls).cliffs == maze.cliffs
    walls[1, 0] = True
    with pytest.raises(ValueError, match="cliff .* is on a wall"):
        maze.with_walls(walls)


def test_with_walls_keeps_swamps_and_refuses_a_wall_on_one() -> None:
    maze = parse_maze("swamp_reward: -4\nS..\n~.~\n..G\n")
    walls = np.zeros((3, 3), dtype=bool)
    walls[0, 2] = True
    changed = maze.with_walls(walls)
    assert (changed.swamps, changed.swamp_reward) == (maze.swamps, -4.0)
    assert changed.to_mdp().reward[changed.state(0, 0), DOWN, 0] == -4
    walls[1, 0] = True
    with pytest.raises(ValueError, match="swamp .* is on a wall"):
        maze.with_walls(walls)
