"""Dyna planning with a generalizing model: every action of every seen state is planned,
tried pairs from memory and untried ones from the model's generalization
(``dynalab.models.aggregate``). Where the generalization is wrong, planning spreads the
error: the lab's demonstration of model exploitation."""

from __future__ import annotations

import numpy as np
from numba import njit

from dynalab.models.aggregate import Generalization, predict_untried
from dynalab.models.tabular import TabularModel, model_sample
from dynalab.planners.td import q_learning_update


@njit(cache=True, nogil=True)
def plan_with_generalization(
    q_values: np.ndarray,
    model: TabularModel,
    learned: Generalization,
    planning_steps: int,
    alpha: float,
    gamma: float,
    rng: np.random.Generator,
) -> int:
    """``planning_steps`` Q-learning updates on (seen state, any action) pairs drawn
    uniformly; returns how many were made."""
    n_pairs = model.sizes[1]
    if n_pairs == 0:
        return 0
    for _ in range(planning_steps):
        scaled = rng.random() * n_pairs
        pair = int(scaled)
        state = model.reachable_state[pair]
        action = model.reachable_action[pair]
        if model.visits[state, action] > 0:
            reward, next_state, terminal = model_sample(model, state, action, scaled - pair)
        else:
            reward, next_state, terminal = predict_untried(
                learned, q_values.shape[0], state, action
            )
        q_learning_update(q_values, state, action, reward, next_state, terminal, alpha, gamma)
    return planning_steps
