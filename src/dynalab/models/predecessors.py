"""What the model predicts leads to each state: the edges prioritized sweeping walks
backwards (Sutton & Barto §8.4, "for all S-bar, A-bar predicted to lead to S").

The relation is kept exactly equal to what the current model predicts. Each outcome slot
(s, a, k) of the model owns one edge, ``edge = (s * A + a) * K + k``; after the model
records a transition in a slot, :func:`sync_predecessor` moves that slot's edge to the
state the slot now predicts, or unlinks it when the slot's outcome ends the episode
(nothing downstream to propagate). So when the deterministic model's last outcome of a
pair changes (a world change, a slip), the old edge goes: priorities are never pushed to
a pair the model no longer predicts leads to S, and the edges never outnumber the slots.
Edges into a state form a doubly linked list, so moving one costs O(1).

Kept beside the tabular model rather than inside it: only prioritized sweeping needs
it, and a larger model tuple measurably slows every agent's compiled loop.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np
from numba import njit

from dynalab.models.tabular import TabularModel

Predecessors = namedtuple(
    "Predecessors",
    [
        "head",  # int64 [S]: first edge into state s (-1: none)
        "next",  # int64 [E]: next edge into the same state (-1: end)
        "previous",  # int64 [E]: previous edge into the same state (-1: it is the head)
        "into",  # int64 [E]: the state this edge leads to (-1: unlinked)
        "pair",  # int64 [E]: the pair s*A + a that owns this edge, e // K
    ],
)


def empty_predecessors(
    n_states: int, n_actions: int, outcome_slots: int, enabled: bool = True
) -> Predecessors:
    """No edges yet, one per outcome slot of the model; minimal arrays when the agent
    does not sweep."""
    edges = n_states * n_actions * outcome_slots if enabled else 1
    return Predecessors(
        head=np.full(n_states if enabled else 1, -1, dtype=np.int64),
        next=np.full(edges, -1, dtype=np.int64),
        previous=np.full(edges, -1, dtype=np.int64),
        into=np.full(edges, -1, dtype=np.int64),
        pair=np.arange(edges, dtype=np.int64) // outcome_slots,
    )


@njit(cache=True, nogil=True, inline="always")
def _unlink(predecessors: Predecessors, edge: int) -> None:
    """Take ``edge`` out of the list of the state it leads to."""
    before = predecessors.previous[edge]
    after = predecessors.next[edge]
    if before >= 0:
        predecessors.next[before] = after
    else:
        predecessors.head[predecessors.into[edge]] = after
    if after >= 0:
        predecessors.previous[after] = before
    predecessors.into[edge] = -1
    predecessors.next[edge] = -1
    predecessors.previous[edge] = -1


@njit(cache=True, nogil=True, inline="always")
def _link(predecessors: Predecessors, edge: int, state: int) -> None:
    """Put ``edge`` first in the list of edges into ``state``."""
    first = predecessors.head[state]
    predecessors.next[edge] = first
    predecessors.previous[edge] = -1
    if first >= 0:
        predecessors.previous[first] = edge
    predecessors.head[state] = edge
    predecessors.into[edge] = state


@njit(cache=True, nogil=True, inline="always")
def sync_predecessor(
    model: TabularModel, predecessors: Predecessors, state: int, action: int, slot: int
) -> None:
    """After the model recorded a transition of (s, a) in outcome ``slot``: make the
    slot's edge lead where the slot now predicts (none for a terminal outcome)."""
    slots = model.next_state.shape[2]
    edge = (state * model.visits.shape[1] + action) * slots + slot
    predicted = -1
    if not model.terminal[state, action, slot]:
        predicted = model.next_state[state, action, slot]
    current = predecessors.into[edge]
    if current == predicted:
        return
    if current >= 0:
        _unlink(predecessors, edge)
    if predicted >= 0:
        _link(predecessors, edge, predicted)


def predecessor_pairs(
    predecessors: Predecessors, state: int, n_actions: int
) -> list[tuple[int, int]]:
    """The (s, a) pairs the model predicts lead to ``state``, newest edge first."""
    found = []
    edge = int(predecessors.head[state])
    while edge >= 0:
        pair = int(predecessors.pair[edge])
        found.append((pair // n_actions, pair % n_actions))
        edge = int(predecessors.next[edge])
    return found
