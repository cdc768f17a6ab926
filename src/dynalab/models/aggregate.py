"""A model that generalizes: it predicts pairs it has never tried from those it has.

``model=aggregate`` keeps the last outcome of every tried pair (like the book's model)
and, for a pair never tried, predicts by state aggregation over actions. It sorts every
real step of action a into an *outcome kind*: the displacement s' - s of the state
index, whether the step ended the episode, and its reward. An untried (s, a) is
predicted to have a's most frequent kind: "right moves one column right, for the usual
step reward" everywhere - walls, cliff edges and swamps included. So the model invents
shortcuts through walls and calls costly ground as cheap as dry land; planning on it
(Dyna with all actions of seen states planned) exploits the invention: a believed value
far above the true value of the greedy policy.

The same kinds, counted with bootstrap weights, are what an ensemble member generalizes
from (``dynalab.models.ensemble``).
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np
from numba import njit

MAX_KINDS = 32
"""Distinct outcome kinds remembered per action: a grid maze has at most ~10 (four or
five displacements, ending or not, a few reward values)."""

Generalization = namedtuple(
    "Generalization",
    [
        "kind_displacement",  # int64 [A, MAX_KINDS]: s' - s of action a's k-th outcome kind
        "kind_terminal",  # bool [A, MAX_KINDS]: whether that kind ended the episode
        "kind_reward",  # float64 [A, MAX_KINDS]: its reward
        "kind_count",  # float64 [A, MAX_KINDS]: real steps of action a of that kind
        "n_kinds",  # int64 [A]: kinds in use
        "most_frequent",  # int64 [A]: the kind seen most often (-1: action never taken)
    ],
)
"""What the aggregate model learns beyond the tried pairs it remembers. Kept apart from
the tabular model: more fields in that tuple slowed Dyna's hot loop (measured ~9%)."""


def empty_generalization(n_actions: int, enabled: bool) -> Generalization:
    """Nothing learned yet; minimal arrays when the agent does not generalize."""
    slots = MAX_KINDS if enabled else 1
    return Generalization(
        kind_displacement=np.zeros((n_actions, slots), dtype=np.int64),
        kind_terminal=np.zeros((n_actions, slots), dtype=np.bool_),
        kind_reward=np.zeros((n_actions, slots)),
        kind_count=np.zeros((n_actions, slots)),
        n_kinds=np.zeros(n_actions, dtype=np.int64),
        most_frequent=np.full(n_actions, -1, dtype=np.int64),
    )


@njit(cache=True, nogil=True)
def learn_generalization(
    learned: Generalization,
    state: int,
    action: int,
    reward: float,
    next_state: int,
    terminal: bool,
) -> int:
    """Count one real step of ``action`` under its outcome kind; returns the kind's index."""
    moved = next_state - state
    used = learned.n_kinds[action]
    kind = used
    for k in range(used):
        if (
            learned.kind_displacement[action, k] == moved
            and learned.kind_terminal[action, k] == terminal
            and learned.kind_reward[action, k] == reward
        ):
            kind = k
            break
    if kind == used:
        if used == learned.kind_count.shape[1]:
            raise ValueError(
                "model=aggregate: an action produced more distinct outcomes (displacement, "
                "end, reward) than it holds (32); it is meant for grid worlds"
            )
        learned.kind_displacement[action, kind] = moved
        learned.kind_terminal[action, kind] = terminal
        learned.kind_reward[action, kind] = reward
        learned.n_kinds[action] = used + 1
    learned.kind_count[action, kind] += 1.0
    best = learned.most_frequent[action]
    if best < 0 or learned.kind_count[action, kind] > learned.kind_count[action, best]:
        learned.most_frequent[action] = kind
    return kind


@njit(cache=True, nogil=True, inline="always")
def kind_outcome(
    learned: Generalization, n_states: int, state: int, action: int, kind: int
) -> tuple[float, int, bool]:
    """``(reward, next_state, terminal)`` of outcome ``kind`` of ``action`` applied at
    ``state``; a displacement leaving the state range stays put. ``kind < 0`` (an action
    never taken) predicts staying put with reward 0."""
    if kind < 0:
        return 0.0, state, False
    next_state = state + learned.kind_displacement[action, kind]
    if next_state < 0 or next_state >= n_states:
        next_state = state
    return learned.kind_reward[action, kind], next_state, learned.kind_terminal[action, kind]


@njit(cache=True, nogil=True, inline="always")
def predict_untried(
    learned: Generalization, n_states: int, state: int, action: int
) -> tuple[float, int, bool]:
    """The aggregate prediction ``(reward, next_state, terminal)`` for an untried pair:
    the action's most frequent outcome kind."""
    return kind_outcome(learned, n_states, state, action, learned.most_frequent[action])
