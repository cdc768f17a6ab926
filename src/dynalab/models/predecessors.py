"""What the model predicts leads to each state: the edges prioritized sweeping walks
backwards (Sutton & Barto §8.4, "for all S-bar, A-bar predicted to lead to S").

Kept beside the tabular model rather than inside it: only prioritized sweeping needs
it, and a larger model tuple measurably slows every agent's compiled loop.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np
from numba import njit

from dynalab.models.tabular import TabularModel, model_predicts

SLACK = 3
"""Extra edges per pair beyond its outcome slots: a deterministic model whose world
changes records each new next state of a pair as a new edge."""

Predecessors = namedtuple(
    "Predecessors",
    [
        "head",  # int64 [S]: first edge into state s (-1: none)
        "next",  # int64 [E]: next edge into the same state (-1: end)
        "pair",  # int64 [E]: the pair s*A + a of this edge
        "size",  # int64 [1]: edges used
    ],
)


def empty_predecessors(
    n_states: int, n_actions: int, outcome_slots: int, enabled: bool = True
) -> Predecessors:
    """No edges yet; minimal arrays when the agent does not sweep."""
    edges = n_states * n_actions * (outcome_slots + SLACK) if enabled else 1
    return Predecessors(
        head=np.full(n_states if enabled else 1, -1, dtype=np.int64),
        next=np.full(edges, -1, dtype=np.int64),
        pair=np.zeros(edges, dtype=np.int64),
        size=np.zeros(1, dtype=np.int64),
    )


@njit(cache=True, nogil=True)
def add_predecessor(predecessors: Predecessors, pair: int, next_state: int) -> None:
    """Record that ``pair`` (s*A + a) leads to ``next_state``, once per (pair, s')."""
    edge = predecessors.head[next_state]
    while edge >= 0:
        if predecessors.pair[edge] == pair:
            return
        edge = predecessors.next[edge]
    used = predecessors.size[0]
    if used == predecessors.pair.shape[0]:
        raise ValueError("learned model: more predecessor edges than it can hold")
    predecessors.pair[used] = pair
    predecessors.next[used] = predecessors.head[next_state]
    predecessors.head[next_state] = used
    predecessors.size[0] = used + 1


@njit(cache=True, nogil=True, inline="always")
def track_predecessor(
    model: TabularModel,
    predecessors: Predecessors,
    state: int,
    action: int,
    next_state: int,
    terminal: bool,
) -> None:
    """Before the model records a transition: remember that (s, a) leads to s' if the
    model did not know it yet. A corrupted pair's edge goes to its wrong state, as the
    model records it."""
    wrong = model.corrupt_next[state, action]
    if wrong >= 0:
        next_state = wrong
        terminal = False
    if not terminal and not model_predicts(model, state, action, next_state):
        add_predecessor(predecessors, state * model.visits.shape[1] + action, next_state)


def predecessor_pairs(
    predecessors: Predecessors, state: int, n_actions: int
) -> list[tuple[int, int]]:
    """The (s, a) pairs recorded as leading to ``state``, newest first."""
    found = []
    edge = int(predecessors.head[state])
    while edge >= 0:
        pair = int(predecessors.pair[edge])
        found.append((pair // n_actions, pair % n_actions))
        edge = int(predecessors.next[edge])
    return found
