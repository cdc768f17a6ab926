"""Prioritized sweeping (Sutton & Barto §8.4): plan where values are changing.

After each real step the pair just tried is queued with priority |target - Q|, where the
target is the model's one-step target; then up to n pairs are popped, highest priority
first, updated, and each of their predecessors (pairs the model predicts lead to the
updated state) is queued with its own |target - Q| when that exceeds theta. A change of
value thus propagates backwards from where it happened. An update with step size
alpha < 1 leaves (1 - alpha) of its error; the book's box drops it, here the pair is
queued again with that remaining priority, so a partial update's error is never lost.

One function serves both models: the target is the model's expected one-step target,
which for the deterministic model is its single remembered outcome (the book's sample
update) and for the count-based model the expectation over the outcomes seen (the
expected-update version of §8.4's closing paragraphs).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from dynalab.models.predecessors import Predecessors
from dynalab.models.tabular import TabularModel, model_expected_target
from dynalab.planners.priority_queue import PriorityQueue, queue_pop, queue_push


@njit(cache=True, nogil=True)
def prioritized_sweeping(
    q_values: np.ndarray,
    model: TabularModel,
    queue: PriorityQueue,
    predecessors: Predecessors,
    state: int,
    action: int,
    planning_steps: int,
    alpha: float,
    gamma: float,
    theta: float,
) -> int:
    """Queue the pair just tried, then make up to ``planning_steps`` prioritized updates.

    Returns the number of updates made (popped pairs). The caller has already recorded
    the real transition in ``model`` and its edge in ``predecessors``.
    """
    n_actions = q_values.shape[1]
    priority = abs(
        model_expected_target(model, q_values, state, action, gamma) - q_values[state, action]
    )
    if priority > theta:
        queue_push(queue, state * n_actions + action, priority)
    updates = 0
    while updates < planning_steps and queue.size[0] > 0:
        pair = queue_pop(queue)
        s = pair // n_actions
        a = pair - s * n_actions
        target = model_expected_target(model, q_values, s, a, gamma)
        q_values[s, a] += alpha * (target - q_values[s, a])
        updates += 1
        remaining = abs(target - q_values[s, a])
        if remaining > theta:
            queue_push(queue, pair, remaining)
        edge = predecessors.head[s]
        while edge >= 0:
            previous = predecessors.pair[edge]
            edge = predecessors.next[edge]
            ps = previous // n_actions
            pa = previous - ps * n_actions
            change = abs(model_expected_target(model, q_values, ps, pa, gamma) - q_values[ps, pa])
            if change > theta:
                queue_push(queue, previous, change)
    return updates
