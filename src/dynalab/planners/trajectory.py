"""Trajectory sampling (Sutton & Barto §8.6): plan along simulated on-policy episodes.

Instead of replaying uniformly drawn pairs, planning follows the current epsilon-greedy
policy through the model from the episode's start state, updating the pairs met on the
way; a simulated episode ends at a terminal outcome or at a pair the model has never
seen, and the next one starts again from the start state. The simulated position is
kept between calls (``cursor``), so successive real steps continue the same trajectory.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from dynalab.models.tabular import TabularModel, model_sample
from dynalab.planners.policy import epsilon_greedy
from dynalab.planners.td import q_learning_update


@njit(cache=True, nogil=True)
def plan_on_policy(
    q_values: np.ndarray,
    model: TabularModel,
    cursor: np.ndarray,
    planning_steps: int,
    alpha: float,
    gamma: float,
    epsilon: float,
    kappa: float,
    untried_actions: bool,
    step: int,
    rng: np.random.Generator,
) -> int:
    """Make ``planning_steps`` simulated steps from ``cursor[0]`` (restarting at
    ``cursor[1]``, the start state); returns the updates made (steps that reached a pair
    the model knows, or any pair with ``untried_actions``).

    Dyna-Q+ plans the same way as in uniform planning: each simulated reward gets the
    bonus ``kappa * sqrt(tau)`` (tau: real steps since the pair was last tried), and with
    ``untried_actions`` an untried action is modelled as leading back to the same state
    with reward 0 (Sutton & Barto §8.3 and its footnote), so the trajectory stays put
    instead of restarting.
    """
    updates = 0
    state = cursor[0]
    for _ in range(planning_steps):
        action = epsilon_greedy(q_values, state, epsilon, rng.random())
        if model.visits[state, action] > 0:
            reward, next_state, terminal = model_sample(model, state, action, rng.random())
        elif untried_actions:
            reward, next_state, terminal = 0.0, state, False
        else:
            state = cursor[1]
            continue
        if kappa > 0.0:
            reward += kappa * math.sqrt(step - model.last_tried[state, action])
        q_learning_update(q_values, state, action, reward, next_state, terminal, alpha, gamma)
        updates += 1
        state = cursor[1] if terminal else next_state
    cursor[0] = state
    return updates
