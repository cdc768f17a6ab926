"""Random branching tasks: the worlds of Sutton & Barto §8.6 (trajectory sampling, Fig. 8.8).

Every state has ``n_actions`` actions (two in the book). Each (state, action) leads to one
of ``branching`` next states (``b``, the branching factor), drawn uniformly at random and
independently for each pair, all equally likely; on every transition the episode ends
with probability ``termination`` (0.1 in the book). The expected reward of every
transition is drawn from a standard normal distribution. Episodes start in state 0.

As outcome tables (see :class:`~dynalab.envs.mdp.ArrayMDP`) each pair has ``b + 1``
outcomes: the ``b`` next states with probability ``(1 - termination) / b`` each, and one
terminal outcome with probability ``termination`` that carries its own reward draw.
"""

from __future__ import annotations

import numpy as np

from dynalab.envs.mdp import ArrayMDP


def distinct_next_states(
    n_states: int, n_pairs: int, branching: int, rng: np.random.Generator
) -> np.ndarray:
    """``(n_pairs, branching)`` next states, each row ``branching`` distinct states drawn
    uniformly at random (a uniformly random ``branching``-subset of the states, in random
    order).

    Rows are drawn with replacement and any row holding a repeat is drawn again, whole,
    until none does: rejection keeps every accepted row uniform over ordered subsets and
    costs one vectorized draw plus a few redraws, where one ``choice`` call per pair would
    take seconds for the 20,000 pairs of the 10,000-state task.
    """
    rows = rng.integers(0, n_states, size=(n_pairs, branching))
    while True:
        ordered = np.sort(rows, axis=1)
        repeated = np.flatnonzero((ordered[:, 1:] == ordered[:, :-1]).any(axis=1))
        if not len(repeated):
            return rows
        rows[repeated] = rng.integers(0, n_states, size=(len(repeated), branching))


def random_branching_mdp(
    n_states: int,
    branching: int,
    rng: np.random.Generator,
    n_actions: int = 2,
    termination: float = 0.1,
) -> ArrayMDP:
    """A random task of Sutton & Barto §8.6 with ``n_states`` states and branching factor
    ``branching``, drawn from ``rng`` only (the same generator state gives the same task).

    Draws, in order: the next states of every (state, action) (distinct within a pair),
    then the rewards of every outcome, terminal outcome included, from N(0, 1). The
    terminal outcome's ``next_state`` is the state itself; it is never bootstrapped from.
    """
    if n_states < 1:
        raise ValueError(f"n_states must be >= 1, got {n_states}")
    if n_actions < 1:
        raise ValueError(f"n_actions must be >= 1, got {n_actions}")
    if not 1 <= branching <= n_states:
        raise ValueError(f"branching must be in 1..n_states ({n_states}), got {branching}")
    if not 0.0 <= termination <= 1.0:
        raise ValueError(f"termination must be in [0, 1], got {termination}")
    n_outcomes = branching + 1
    shape = (n_states, n_actions, n_outcomes)
    next_state = np.empty(shape, dtype=np.int64)
    next_state[:, :, :branching] = distinct_next_states(
        n_states, n_states * n_actions, branching, rng
    ).reshape(n_states, n_actions, branching)
    next_state[:, :, branching] = np.arange(n_states)[:, None]
    prob = np.empty(shape)
    prob[:, :, :branching] = (1.0 - termination) / branching
    prob[:, :, branching] = termination
    terminal = np.zeros(shape, dtype=np.bool_)
    terminal[:, :, branching] = True
    reward = rng.standard_normal(shape)
    start_prob = np.zeros(n_states)
    start_prob[0] = 1.0
    return ArrayMDP(
        next_state=next_state,
        prob=prob,
        reward=reward,
        terminal=terminal,
        start_prob=start_prob,
        name=f"random-{n_states}-b{branching}",
    )
