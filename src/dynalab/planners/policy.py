"""Behaviour policies over a tabular ``Q[s, a]``.

Each choice costs exactly one uniform draw, passed in by the caller's loop: a fixed seed
gives a fixed sequence of actions, and compiled callees stay free of the generator.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def greedy_action(q_values: np.ndarray, state: int, uniform: float) -> int:
    """argmax_a Q(state, a), ties broken uniformly at random by ``uniform`` in [0, 1)."""
    n_actions = q_values.shape[1]
    best = q_values[state, 0]
    n_best = 1
    for a in range(1, n_actions):
        value = q_values[state, a]
        if value > best:
            best = value
            n_best = 1
        elif value == best:
            n_best += 1
    chosen = int(uniform * n_best)
    for a in range(n_actions):
        if q_values[state, a] == best:
            if chosen == 0:
                return a
            chosen -= 1
    return n_actions - 1


@njit(cache=True, nogil=True)
def epsilon_greedy(q_values: np.ndarray, state: int, epsilon: float, uniform: float) -> int:
    """Sutton & Barto §2.2: a uniformly random action with probability epsilon, else greedy.

    One draw serves both decisions: given ``uniform < epsilon``, ``uniform / epsilon`` is
    again uniform on [0, 1) and picks the random action; otherwise
    ``(uniform - epsilon) / (1 - epsilon)`` is uniform and breaks greedy ties.
    """
    if uniform < epsilon:
        return int(uniform / epsilon * q_values.shape[1])
    if epsilon > 0.0:
        uniform = (uniform - epsilon) / (1.0 - epsilon)
    return greedy_action(q_values, state, uniform)
