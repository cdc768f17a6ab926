"""A max-priority queue over (state, action) pairs, as arrays numba can compile.

A binary heap of pair indices (s*A + a) with a position index, so that re-inserting a
pair already queued keeps the higher of its two priorities (Sutton & Barto §8.4: "if
S, A is already in the queue, only the higher priority is kept") in O(log n).
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np
from numba import njit

PriorityQueue = namedtuple(
    "PriorityQueue",
    [
        "pair",  # int64 [P]: heap of pair indices, the highest priority at 0
        "priority",  # float64 [P]: priority of heap[i]
        "position",  # int64 [P]: where pair p sits in the heap (-1: not queued)
        "size",  # int64 [1]: pairs queued
    ],
)


def empty_queue(n_pairs: int) -> PriorityQueue:
    return PriorityQueue(
        pair=np.zeros(n_pairs, dtype=np.int64),
        priority=np.zeros(n_pairs),
        position=np.full(n_pairs, -1, dtype=np.int64),
        size=np.zeros(1, dtype=np.int64),
    )


@njit(cache=True, nogil=True, inline="always")
def _swap(queue: PriorityQueue, i: int, j: int) -> None:
    pair_i, pair_j = queue.pair[i], queue.pair[j]
    queue.pair[i], queue.pair[j] = pair_j, pair_i
    queue.priority[i], queue.priority[j] = queue.priority[j], queue.priority[i]
    queue.position[pair_j] = i
    queue.position[pair_i] = j


@njit(cache=True, nogil=True)
def queue_push(queue: PriorityQueue, pair: int, priority: float) -> None:
    """Queue ``pair`` with ``priority``; a pair already queued keeps the higher one."""
    index = queue.position[pair]
    if index >= 0:
        if priority <= queue.priority[index]:
            return
        queue.priority[index] = priority
    else:
        index = queue.size[0]
        queue.size[0] = index + 1
        queue.pair[index] = pair
        queue.priority[index] = priority
        queue.position[pair] = index
    while index > 0:
        parent = (index - 1) // 2
        if queue.priority[parent] >= queue.priority[index]:
            break
        _swap(queue, parent, index)
        index = parent


@njit(cache=True, nogil=True)
def queue_pop(queue: PriorityQueue) -> int:
    """Remove and return the pair of highest priority (the queue must not be empty)."""
    top = queue.pair[0]
    last = queue.size[0] - 1
    _swap(queue, 0, last)
    queue.size[0] = last
    queue.position[top] = -1
    index = 0
    while True:
        left = 2 * index + 1
        if left >= last:
            break
        child = left
        if left + 1 < last and queue.priority[left + 1] > queue.priority[left]:
            child = left + 1
        if queue.priority[index] >= queue.priority[child]:
            break
        _swap(queue, index, child)
        index = child
    return top
