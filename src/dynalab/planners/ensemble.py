"""Dyna planning on an ensemble of models, using their disagreement.

Each planning update draws a seen state uniformly, then an action of it (any action when
the agent generalizes, ``model=aggregate``; else one tried in it) and moves Q(s, a) towards the
members' mean one-step target shifted by lambda times their disagreement (the spread of
their targets, ``dynalab.models.ensemble``):

* ``pessimistic``: mean - lambda * spread, the penalty of offline model-based methods
  (MOPO's reward minus lambda times model uncertainty): do not bet on what the members
  dispute;
* ``optimistic``: mean + lambda * spread, an exploration bonus where they dispute;
* ``mean``: the members' mean alone.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from dynalab.models.aggregate import Generalization
from dynalab.models.ensemble import Ensemble, ensemble_target
from dynalab.models.tabular import TabularModel, planning_pair


@njit(cache=True, nogil=True)
def plan_with_ensemble(
    q_values: np.ndarray,
    model: TabularModel,
    learned: Generalization,
    ensemble: Ensemble,
    planning_steps: int,
    alpha: float,
    gamma: float,
    rng: np.random.Generator,
) -> int:
    """``planning_steps`` updates towards the uncertainty-shifted ensemble target;
    returns how many were made."""
    sign, weight, plan_untried = ensemble.settings[0], ensemble.settings[1], ensemble.settings[2]
    if model.sizes[0] == 0:
        return 0
    every_action = plan_untried > 0.0
    for _ in range(planning_steps):
        state, action = planning_pair(model, every_action, rng.random())
        mean, spread = ensemble_target(ensemble, model, learned, q_values, state, action, gamma)
        target = mean + sign * weight * spread
        q_values[state, action] += alpha * (target - q_values[state, action])
    return planning_steps
