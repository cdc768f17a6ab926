"""A model that generalizes: it predicts pairs it has never tried from those it has.

``model=aggregate`` keeps the last outcome of every tried pair (like the book's model)
and, for a pair never tried, predicts by state aggregation over actions: action a moves
the state index by its most frequent observed displacement s' - s, with the mean reward
action a has given on non-terminal steps, and never ends the episode. On a grid that is
"right moves one column right" everywhere, walls and cliffs included: the model invents
shortcuts through walls and calls cliff edges safe. Planning on it (Dyna with all actions
of seen states planned) shows model exploitation: a believed value far above the true
value of the greedy policy.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np
from numba import njit

Generalization = namedtuple(
    "Generalization",
    [
        "displacement_count",  # int64 [A, 2S-1]: how often action a moved the state by d
        "displacement",  # int64 [A]: the most frequent displacement of action a
        "action_reward",  # float64 [A, 2]: reward sum and count of action a's steps
    ],
)
"""What the aggregate model learns beyond the tried pairs it remembers. Kept apart from
the tabular model: more fields in that tuple slowed Dyna's hot loop (measured ~9%)."""


def empty_generalization(n_states: int, n_actions: int, enabled: bool) -> Generalization:
    """Nothing learned yet; minimal arrays when the agent does not generalize."""
    return Generalization(
        displacement_count=np.zeros((n_actions, 2 * n_states - 1 if enabled else 1), np.int64),
        displacement=np.zeros(n_actions, dtype=np.int64),
        action_reward=np.zeros((n_actions, 2)),
    )


@njit(cache=True, nogil=True)
def learn_generalization(
    learned: Generalization,
    state: int,
    action: int,
    reward: float,
    next_state: int,
    terminal: bool,
) -> None:
    """Count the displacement and reward of one real non-terminal step of ``action``."""
    if terminal:
        return
    offset = (learned.displacement_count.shape[1] - 1) // 2
    moved = next_state - state
    learned.displacement_count[action, moved + offset] += 1
    best = learned.displacement[action]
    if (
        learned.displacement_count[action, moved + offset]
        > (learned.displacement_count[action, best + offset])
    ):
        learned.displacement[action] = moved
    learned.action_reward[action, 0] += reward
    learned.action_reward[action, 1] += 1.0


@njit(cache=True, nogil=True, inline="always")
def predict_untried(
    learned: Generalization, n_states: int, state: int, action: int
) -> tuple[float, int, bool]:
    """The aggregate prediction ``(reward, next_state, terminal)`` for an untried pair;
    a displacement leaving the state range predicts staying put."""
    next_state = state + learned.displacement[action]
    if next_state < 0 or next_state >= n_states:
        next_state = state
    count = learned.action_reward[action, 1]
    reward = learned.action_reward[action, 0] / count if count > 0 else 0.0
    return reward, next_state, False
