"""How wrong a learned model is, measured against the true MDP (ground truth).

``model_error`` is the visitation-weighted total-variation distance between the learned
and the true next-outcome distributions over the pairs the model has seen, and the
visitation-weighted absolute error of the expected reward: the two numbers the lab
records beside each episode to show how model error and planning interact.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from dynalab.models.tabular import TabularModel


@njit(cache=True, nogil=True)
def true_probability(
    next_state: np.ndarray,
    prob: np.ndarray,
    terminal: np.ndarray,
    state: int,
    action: int,
    outcome_state: int,
    outcome_terminal: bool,
) -> float:
    """Total true probability of the outcome (next state, terminal) from (s, a)."""
    total = 0.0
    for j in range(next_state.shape[2]):
        if next_state[state, action, j] == outcome_state and (
            terminal[state, action, j] == outcome_terminal
        ):
            total += prob[state, action, j]
    return total


@njit(cache=True, nogil=True)
def pair_errors(
    model: TabularModel,
    next_state: np.ndarray,
    prob: np.ndarray,
    reward: np.ndarray,
    terminal: np.ndarray,
    state: int,
    action: int,
) -> tuple[float, float]:
    """(TV distance, |expected reward error|) of the learned model at one seen pair.

    TV = 1/2 sum over outcomes |p_hat - p|, outcomes being (next state, terminal) pairs.
    """
    used = model.n_outcomes[state, action]
    counted = 0.0
    for k in range(used):
        counted += model.count[state, action, k]
    distance = 0.0
    learned_reward = 0.0
    covered = 0.0
    for k in range(used):
        s2 = model.next_state[state, action, k]
        ends = model.terminal[state, action, k]
        learned = model.count[state, action, k] / counted
        truth = true_probability(next_state, prob, terminal, state, action, s2, ends)
        distance += abs(learned - truth)
        covered += truth
        learned_reward += (
            learned * model.reward_sum[state, action, k] / model.count[state, action, k]
        )
    distance += 1.0 - covered
    true_reward = 0.0
    for j in range(next_state.shape[2]):
        true_reward += prob[state, action, j] * reward[state, action, j]
    return 0.5 * distance, abs(learned_reward - true_reward)


@njit(cache=True, nogil=True)
def model_error(
    model: TabularModel,
    next_state: np.ndarray,
    prob: np.ndarray,
    reward: np.ndarray,
    terminal: np.ndarray,
) -> tuple[float, float]:
    """Visitation-weighted mean TV distance and reward error over the pairs seen.

    Each seen pair weighs by how often it was tried; nan when the model has seen nothing
    (a model-free agent keeps no model).
    """
    weighted_distance = 0.0
    weighted_reward = 0.0
    total = 0.0
    for i in range(model.sizes[0]):
        state = model.observed_state[i]
        action = model.observed_action[i]
        weight = float(model.visits[state, action])
        distance, reward_error = pair_errors(
            model, next_state, prob, reward, terminal, state, action
        )
        weighted_distance += weight * distance
        weighted_reward += weight * reward_error
        total += weight
    if total == 0.0:
        return np.nan, np.nan
    return weighted_distance / total, weighted_reward / total
