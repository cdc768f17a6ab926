"""Tests of mazes as array MDPs: moves, slips, merged outcomes, and rewards by where a move ends."""

from __future__ import annotations

import numpy as np
import pytest

from dynalab.envs.maze import ACTION_DELTAS
from dynalab.envs.maze_text import parse_maze

UP, RIGHT, DOWN, LEFT = range(4)

OPEN_3X3 = "...\n.S.\n..G\n"


def test_deterministic_mdp_moves_stays_and_terminates() -> None:
    maze = parse_maze("name: m\nstep_reward: -1\ngoal_reward: 5\nmax_steps: 40\nS#.\n...\n..G\n")
    mdp = maze.to_mdp()
    assert mdp.next_state.shape == (9, 4, 1)
    assert mdp.name == "m" and mdp.max_steps == 40
    assert np.allclose(mdp.prob.sum(axis=2), 1.0)
    s = maze.state(0, 0)
    assert mdp.next_state[s, UP, 0] == s  # off the grid
    assert mdp.next_state[s, LEFT, 0] == s  # off the grid
    assert mdp.next_state[s, RIGHT, 0] == s  # into a wall
    assert mdp.next_state[s, DOWN, 0] == maze.state(1, 0)
    assert mdp.reward[s, DOWN, 0] == -1 and not mdp.terminal[s, DOWN, 0]
    before_goal = maze.state(2, 1)
    assert mdp.next_state[before_goal, RIGHT, 0] == maze.state(2, 2)
    assert mdp.reward[before_goal, RIGHT, 0] == 5 and mdp.terminal[before_goal, RIGHT, 0]
    assert mdp.start_prob.tolist() == [1.0] + [0.0] * 8
    assert mdp.is_deterministic


def test_wall_cells_are_left_as_if_free() -> None:
    maze = parse_maze("S#.\n...\n..G\n")
    mdp = maze.to_mdp()
    wall = maze.state(0, 1)
    assert mdp.next_state[wall, LEFT, 0] == maze.state(0, 0)
    assert mdp.next_state[wall, RIGHT, 0] == maze.state(0, 2)
    assert mdp.next_state[wall, DOWN, 0] == maze.state(1, 1)
    assert mdp.next_state[wall, UP, 0] == wall


@pytest.mark.parametrize("slip", [0.1, 0.4, 1.0])
def test_slip_probabilities(slip: float) -> None:
    maze = parse_maze(f"slip: {slip}\n{OPEN_3X3}")
    mdp = maze.to_mdp()
    assert np.allclose(mdp.prob.sum(axis=2), 1.0)
    assert mdp.max_outcomes == 4
    centre = maze.state(1, 1)
    for action, (d_row, d_col) in enumerate(ACTION_DELTAS):
        intended = maze.state(1 + d_row, 1 + d_col)
        probs = dict(zip(mdp.next_state[centre, action], mdp.prob[centre, action], strict=True))
        assert probs[intended] == pytest.approx(1 - slip + slip / 4)
        assert sorted(probs.values())[:3] == pytest.approx([slip / 4] * 3)
        assert mdp.next_state[centre, action, 0] == intended


def test_slip_merges_outcomes_that_reach_the_same_cell_and_pads() -> None:
    slip = 0.4
    maze = parse_maze(f"slip: {slip}\n{OPEN_3X3}")
    mdp = maze.to_mdp()
    corner = maze.state(0, 0)
    # Up and left both bump into the edge: one merged "stay" outcome.
    ns, p = mdp.next_state[corner, UP], mdp.prob[corner, UP]
    assert ns[0] == corner and p[0] == pytest.approx(1 - slip + 2 * slip / 4)
    assert dict(zip(ns[1:3], p[1:3], strict=True)) == pytest.approx(
        {maze.state(0, 1): slip / 4, maze.state(1, 0): slip / 4}
    )
    assert p[3] == 0.0 and ns[3] == corner and not mdp.terminal[corner, UP, 3]
    ns, p = mdp.next_state[corner, RIGHT], mdp.prob[corner, RIGHT]
    assert ns[0] == maze.state(0, 1) and p[0] == pytest.approx(1 - slip + slip / 4)
    assert p[1] == pytest.approx(2 * slip / 4) and ns[1] == corner


def test_slip_into_goal_terminates_with_goal_reward() -> None:
    maze = parse_maze("slip: 0.5\ngoal_reward: 3\nstep_reward: -1\n" + OPEN_3X3)
    mdp = maze.to_mdp()
    s = maze.state(1, 2)
    goal = maze.state(2, 2)
    k = list(mdp.next_state[s, UP]).index(goal)
    assert mdp.prob[s, UP, k] == pytest.approx(0.125)
    assert mdp.terminal[s, UP, k] and mdp.reward[s, UP, k] == 3
    live = (mdp.prob[s, UP] > 0) & (mdp.next_state[s, UP] != goal)
    assert (mdp.reward[s, UP][live] == -1).all() and not mdp.terminal[s, UP][live].any()


# Two cliffs beside the middle cell (1, 1); the goal is reached between them.
CLIFF_PASS = "step_reward: -1\ngoal_reward: 2\ncliff_reward: -50\nS..\nC.C\n..G\n"


def test_entering_a_cliff_gives_cliff_reward_and_terminates() -> None:
    maze = parse_maze(CLIFF_PASS)
    mdp = maze.to_mdp()
    assert mdp.is_deterministic
    start, middle = maze.state(0, 0), maze.state(1, 1)
    cliff_left, cliff_right = maze.state(1, 0), maze.state(1, 2)
    assert mdp.next_state[start, DOWN, 0] == cliff_left
    assert mdp.reward[start, DOWN, 0] == -50 and mdp.terminal[start, DOWN, 0]
    assert mdp.next_state[middle, RIGHT, 0] == cliff_right
    assert mdp.reward[middle, RIGHT, 0] == -50 and mdp.terminal[middle, RIGHT, 0]
    # Other moves: step reward, no termination; the goal keeps its own reward.
    assert mdp.reward[middle, DOWN, 0] == -1 and not mdp.terminal[middle, DOWN, 0]
    before_goal = maze.state(2, 1)
    assert mdp.reward[before_goal, RIGHT, 0] == 2 and mdp.terminal[before_goal, RIGHT, 0]
    # Exactly the moves into a cliff or the goal terminate.
    into_cliff = np.isin(mdp.next_state[:, :, 0], [cliff_left, cliff_right])
    into_goal = mdp.next_state[:, :, 0] == maze.state(2, 2)
    assert (mdp.terminal[:, :, 0] == (into_cliff | into_goal)).all()
    assert (mdp.reward[:, :, 0][into_cliff] == -50).all()


def test_slip_can_throw_the_agent_into_a_cliff() -> None:
    """From (1, 1), between two cliffs, with slip 0.2, choosing ``down`` (by hand):

    * the intended move to (2, 1): 1 - 0.2 + 0.2/4 = 0.85, reward -1, not terminal;
    * a slip up to (0, 1): 0.2/4 = 0.05, reward -1, not terminal;
    * a slip left into the cliff (1, 0): 0.05, reward -50, terminal;
    * a slip right into the cliff (1, 2): 0.05, reward -50, terminal;

    so the agent falls with probability 0.1 = 2 cliff neighbours x slip/4.
    """
    maze = parse_maze("slip: 0.2\n" + CLIFF_PASS)
    mdp = maze.to_mdp()
    s = maze.state(1, 1)
    outcomes = {
        int(ns): (float(p), float(r), bool(t))
        for ns, p, r, t in zip(
            mdp.next_state[s, DOWN],
            mdp.prob[s, DOWN],
            mdp.reward[s, DOWN],
            mdp.terminal[s, DOWN],
            strict=True,
        )
        if p > 0
    }
    assert outcomes == {
        maze.state(2, 1): (pytest.approx(0.85), -1.0, False),
        maze.state(0, 1): (pytest.approx(0.05), -1.0, False),
        maze.state(1, 0): (pytest.approx(0.05), -50.0, True),
        maze.state(1, 2): (pytest.approx(0.05), -50.0, True),
    }
    falls = mdp.prob[s, DOWN][mdp.terminal[s, DOWN] & (mdp.reward[s, DOWN] == -50)].sum()
    assert falls == pytest.approx(2 * 0.2 / 4)
    # Aiming at a cliff falls with 1 - slip + slip/4, plus slip/4 for the other cliff.
    aimed = mdp.prob[s, LEFT][mdp.terminal[s, LEFT]].sum()
    assert aimed == pytest.approx(0.85 + 0.05)


# A swamp band (1, 0)-(1, 1) between the start and the goal; (1, 2) is dry land.
SWAMP_PASS = "step_reward: -1\ngoal_reward: 2\nswamp_reward: -5\nS..\n~~.\n#~G\n"


def test_moves_that_end_in_a_swamp_give_swamp_reward_and_go_on() -> None:
    maze = parse_maze(SWAMP_PASS)
    mdp = maze.to_mdp()
    assert mdp.is_deterministic
    start, swamp_left, swamp_mid = maze.state(0, 0), maze.state(1, 0), maze.state(1, 1)
    swamp_low, dry = maze.state(2, 1), maze.state(1, 2)

    def move(state: int, action: int) -> tuple[int, float, bool]:
        return (
            int(mdp.next_state[state, action, 0]),
            float(mdp.reward[state, action, 0]),
            bool(mdp.terminal[state, action, 0]),
        )

    # Entering the swamp: swamp reward, no termination.
    assert move(start, DOWN) == (swamp_left, -5.0, False)
    assert move(maze.state(0, 1), DOWN) == (swamp_mid, -5.0, False)
    # Moving within the swamp.
    assert move(swamp_left, RIGHT) == (swamp_mid, -5.0, False)
    assert move(swamp_mid, DOWN) == (swamp_low, -5.0, False)
    # Bumping into a wall (or the edge) while standing in the swamp: still in it.
    assert move(swamp_low, LEFT) == (swamp_low, -5.0, False)
    assert move(swamp_left, LEFT) == (swamp_left, -5.0, False)
    assert move(swamp_left, DOWN) == (swamp_left, -5.0, False)
    # Leaving the swamp for dry land: step reward.
    assert move(swamp_left, UP) == (start, -1.0, False)
    assert move(swamp_mid, RIGHT) == (dry, -1.0, False)
    # Leaving it for the goal: goal reward, and the episode ends.
    assert move(swamp_low, RIGHT) == (maze.state(2, 2), 2.0, True)
    # Dry moves keep the step reward; exactly the moves that end in a swamp get -5.
    assert move(start, RIGHT) == (maze.state(0, 1), -1.0, False)
    into_swamp = np.isin(mdp.next_state[:, :, 0], [swamp_left, swamp_mid, swamp_low])
    free = ~maze.walls.reshape(-1)
    assert (mdp.reward[free][into_swamp[free]] == -5).all()
    assert not mdp.terminal[:, :, 0][into_swamp].any()
    into_goal = mdp.next_state[:, :, 0] == maze.state(2, 2)
    dry_moves = free[:, None] & ~into_swamp & ~into_goal
    assert (mdp.reward[:, :, 0][dry_moves] == -1).all()


def test_slips_into_and_within_a_swamp_give_swamp_reward() -> None:
    """From the swamp cell (1, 0) of SWAMP_PASS with slip 0.4, choosing ``up`` (by hand):

    * the intended move to (0, 0), dry: 1 - 0.4 + 0.4/4 = 0.7, reward -1;
    * a slip right to the swamp (1, 1): 0.1, reward -5;
    * a slip down into the wall or left off the grid, staying in the swamp: 0.2, reward -5.
    """
    maze = parse_maze("slip: 0.4\n" + SWAMP_PASS)
    mdp = maze.to_mdp()
    s = maze.state(1, 0)
    outcomes = {
        int(ns): (float(p), float(r), bool(t))
        for ns, p, r, t in zip(
            mdp.next_state[s, UP],
            mdp.prob[s, UP],
            mdp.reward[s, UP],
            mdp.terminal[s, UP],
            strict=True,
        )
        if p > 0
    }
    assert outcomes == {
        maze.state(0, 0): (pytest.approx(0.7), -1.0, False),
        maze.state(1, 1): (pytest.approx(0.1), -5.0, False),
        s: (pytest.approx(0.2), -5.0, False),
    }


def test_swamp_reward_is_what_value_iteration_weighs() -> None:
    """Through the swamp to the goal, or round it on dry land (gamma 0.9, reward 0 a move):

    ``S~G`` over ``...``: through the swamp, 2 moves, worth -1 + 0.9 * 1 = -0.1 with
    swamp reward -1, so the dry detour of 4 moves, worth 0.9**3 = 0.729, is better; with
    swamp reward 0 the swamp is dry land and the short path is worth 0.9.
    """
    from dynalab.envs.ground_truth import value_iteration

    wet = parse_maze("S~G\n...\n")
    _, values = value_iteration(wet.to_mdp(), gamma=0.9)
    assert values[wet.state(0, 0)] == pytest.approx(0.9**3)
    dry = parse_maze("swamp_reward: 0\nS~G\n...\n")
    _, values = value_iteration(dry.to_mdp(), gamma=0.9)
    assert values[dry.state(0, 0)] == pytest.approx(0.9)
