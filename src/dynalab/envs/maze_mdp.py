"""From a grid's moves to MDP tables: slips, merged outcomes, rewards by where a move ends.

:meth:`dynalab.envs.maze.Maze.to_mdp` builds its :class:`~dynalab.envs.mdp.ArrayMDP`
from the two steps here, kept apart from the maze's geometry so that how cells connect
and what a move's outcomes are worth are read, and changed, one at a time. Everything is
given as state indices and arrays; nothing here knows the ``Maze`` class.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

import numpy as np


class MoveRewards(NamedTuple):
    """The reward of a move by the cell it ends in: a goal, a cliff, a swamp, or else."""

    step: float
    goal: float
    cliff: float
    swamp: float


def slip_outcomes(moves: np.ndarray, slip: float) -> tuple[np.ndarray, np.ndarray]:
    """Merged, compacted ``(next_state, prob)`` tables of shape (states, actions, outcomes).

    ``moves[s, b]`` is the state reached from ``s`` when action ``b`` is carried out.
    With probability ``slip`` the chosen action is replaced by one drawn uniformly from
    all of them. Outcomes reaching the same state are merged; the intended move's outcome
    comes first, and the outcome axis is padded with probability-0 slots that stay put.
    """
    n_states, n_actions = moves.shape
    order = np.array([[a] + [b for b in range(n_actions) if b != a] for a in range(n_actions)])
    candidates = moves[:, order]
    prob = np.full(candidates.shape, slip / n_actions)
    prob[:, :, 0] += 1.0 - slip
    for j in range(1, n_actions):
        for i in range(j):
            same = (candidates[:, :, i] == candidates[:, :, j]) & (prob[:, :, i] > 0.0)
            prob[:, :, i] += np.where(same, prob[:, :, j], 0.0)
            prob[:, :, j] = np.where(same, 0.0, prob[:, :, j])
    live = prob > 0.0
    slots = np.argsort(~live, axis=2, kind="stable")
    width = int(live.sum(axis=2).max())
    slots = slots[:, :, :width]
    prob = np.take_along_axis(prob, slots, axis=2)
    next_state = np.take_along_axis(candidates, slots, axis=2)
    stay = np.arange(n_states)[:, None, None]
    next_state = np.where(prob > 0.0, next_state, stay)
    return next_state, prob


def ending_rewards(
    next_state: np.ndarray,
    prob: np.ndarray,
    *,
    goals: Iterable[int],
    cliffs: Iterable[int],
    swamps: Iterable[int],
    rewards: MoveRewards,
) -> tuple[np.ndarray, np.ndarray]:
    """``(reward, terminal)`` of each outcome, by the kind of state it ends in.

    Entering a goal or a cliff ends the episode with ``rewards.goal`` or ``rewards.cliff``;
    ending in a swamp gives ``rewards.swamp``, anywhere else ``rewards.step``. Padding
    slots (probability 0) get reward 0 and never terminate.
    """
    n_states = next_state.shape[0]
    is_goal = _indicator(n_states, goals)
    is_cliff = _indicator(n_states, cliffs)
    is_swamp = _indicator(n_states, swamps)
    live = prob > 0.0
    enters_goal = is_goal[next_state] & live
    enters_cliff = is_cliff[next_state] & live
    terminal = enters_goal | enters_cliff
    move_reward = np.where(is_swamp[next_state], rewards.swamp, rewards.step)
    reward = np.where(
        enters_goal,
        rewards.goal,
        np.where(enters_cliff, rewards.cliff, move_reward),
    )
    return reward * live, terminal


def _indicator(n_states: int, states: Iterable[int]) -> np.ndarray:
    """A boolean array over the states, True at each of ``states``."""
    marked = np.zeros(n_states, dtype=np.bool_)
    for state in states:
        marked[state] = True
    return marked
