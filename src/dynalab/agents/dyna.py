"""The Dyna-Q agent's learning step (Sutton & Barto Fig. 8.1, steps (d)-(f)).

Dyna-Q+ is the same step with the exploration bonus and untried actions in planning.
A Dyna agent with n = 0 runs as Q-learning (``Kind.MODEL_FREE``), never through this step.
Both the compiled run loop and the step-by-step Gymnasium loop call this one function.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from dynalab.models.tabular import TabularModel, model_update
from dynalab.planners.td import q_learning_update
from dynalab.planners.uniform import plan_uniform


@njit(cache=True, nogil=True, inline="always")
def dyna_q_step(
    q_values: np.ndarray,
    model: TabularModel,
    state: int,
    action: int,
    reward: float,
    next_state: int,
    terminal: bool,
    step: int,
    alpha: float,
    gamma: float,
    planning_steps: int,
    kappa: float,
    untried_actions: bool,
    rng: np.random.Generator,
) -> int:
    """Learn from one real transition; returns the number of planning updates made.

    (d) direct RL: Q-learning on the real transition; (e) model learning;
    (f) planning: ``planning_steps`` updates on transitions simulated by the model.
    ``step`` is the index of this real step (from 0), used by Dyna-Q+'s bonus.
    """
    q_learning_update(q_values, state, action, reward, next_state, terminal, alpha, gamma)
    model_update(model, state, action, reward, next_state, terminal, step)
    return plan_uniform(
        q_values, model, planning_steps, alpha, gamma, kappa, untried_actions, step, rng
    )
