"""Temporal-difference updates on a tabular action-value array ``Q[s, a]``."""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def max_value(q_values: np.ndarray, state: int) -> float:
    """max_a Q(state, a)."""
    best = q_values[state, 0]
    for a in range(1, q_values.shape[1]):
        if q_values[state, a] > best:
            best = q_values[state, a]
    return best


@njit(cache=True, nogil=True)
def q_learning_update(
    q_values: np.ndarray,
    state: int,
    action: int,
    reward: float,
    next_state: int,
    terminal: bool,
    alpha: float,
    gamma: float,
) -> float:
    """One-step Q-learning, Sutton & Barto eq. (6.8), in place; returns the TD error.

    Q(S,A) <- Q(S,A) + alpha [R + gamma max_a Q(S',a) - Q(S,A)], with no bootstrap
    when the transition terminated the episode. A truncated episode (time limit) is
    not terminal and does bootstrap.
    """
    target = reward
    if not terminal:
        target += gamma * max_value(q_values, next_state)
    td_error = target - q_values[state, action]
    q_values[state, action] += alpha * td_error
    return td_error
