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

from numba import njit

from dynalab.models.tabular import TabularModel


@njit(cache=True, nogil=True)
def learn_generalization(
    model: TabularModel, state: int, action: int, reward: float, next_state: int, terminal: bool
) -> None:
    """Count the displacement and reward of one real non-terminal step of ``action``."""
    if terminal:
        return
    n_states = model.visits.shape[0]
    moved = next_state - state
    model.displacement_count[action, moved + n_states - 1] += 1
    best = model.displacement[action]
    if (
        model.displacement_count[action, moved + n_states - 1]
        > (model.displacement_count[action, best + n_states - 1])
    ):
        model.displacement[action] = moved
    model.action_reward[action, 0] += reward
    model.action_reward[action, 1] += 1.0


@njit(cache=True, nogil=True, inline="always")
def predict_untried(model: TabularModel, state: int, action: int) -> tuple[float, int, bool]:
    """The aggregate prediction ``(reward, next_state, terminal)`` for an untried pair;
    a displacement leaving the state range predicts staying put."""
    next_state = state + model.displacement[action]
    if next_state < 0 or next_state >= model.visits.shape[0]:
        next_state = state
    count = model.action_reward[action, 1]
    reward = model.action_reward[action, 0] / count if count > 0 else 0.0
    return reward, next_state, False
