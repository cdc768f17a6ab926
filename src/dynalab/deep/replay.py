"""Experience replay (Lin 1992; Mnih et al. 2015) as a ring buffer that is a pytree.

The buffer is fixed-size arrays plus two counters, so it lives in a ``lax.scan`` carry
and is ``vmap``ped over runs like any other state. Adding overwrites the oldest entry
once full; sampling draws uniformly, with replacement, among the stored transitions.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp


class Transitions(NamedTuple):
    """Transitions, one per row: ``obs``, ``action``, ``reward``, the observation reached
    (``next_obs``) and whether the transition ended the MDP's episode (``terminated``; a
    time-limit truncation is not termination, so its target still bootstraps)."""

    obs: jax.Array
    action: jax.Array
    reward: jax.Array
    next_obs: jax.Array
    terminated: jax.Array


class Replay(NamedTuple):
    """A ring buffer of ``capacity`` transitions: ``size`` stored, the next write at
    ``position``."""

    data: Transitions
    size: jax.Array
    position: jax.Array

    @property
    def capacity(self) -> int:
        return self.data.action.shape[0]


def replay_init(capacity: int, obs_shape: tuple[int, ...]) -> Replay:
    """An empty buffer for ``capacity`` transitions of float32 observations."""
    data = Transitions(
        obs=jnp.zeros((capacity, *obs_shape), jnp.float32),
        action=jnp.zeros(capacity, jnp.int32),
        reward=jnp.zeros(capacity, jnp.float32),
        next_obs=jnp.zeros((capacity, *obs_shape), jnp.float32),
        terminated=jnp.zeros(capacity, jnp.bool_),
    )
    return Replay(data, jnp.int32(0), jnp.int32(0))


def replay_add(replay: Replay, transition: Transitions) -> Replay:
    """``replay`` with one transition (unbatched leaves) written over the oldest slot."""
    data = jax.tree.map(
        lambda stored, new: stored.at[replay.position].set(new), replay.data, transition
    )
    capacity = replay.capacity
    return Replay(
        data,
        jnp.minimum(replay.size + 1, capacity),
        (replay.position + 1) % capacity,
    )


def replay_sample(replay: Replay, key: jax.Array, batch: int) -> Transitions:
    """``batch`` stored transitions drawn uniformly with replacement (the buffer must hold
    at least one)."""
    index = jax.random.randint(key, (batch,), 0, jnp.maximum(replay.size, 1))
    return jax.tree.map(lambda stored: stored[index], replay.data)


def replay_add_many(replay: Replay, transitions: Transitions, keep: jax.Array) -> Replay:
    """``replay`` with the rows of ``transitions`` where ``keep`` is true written, in order,
    over the oldest slots (the other rows are dropped)."""
    capacity = replay.capacity
    offset = jnp.cumsum(keep.astype(jnp.int32)) - 1
    slot = jnp.where(keep, (replay.position + offset) % capacity, capacity)
    data = jax.tree.map(
        lambda stored, new: stored.at[slot].set(new, mode="drop"), replay.data, transitions
    )
    added = jnp.sum(keep.astype(jnp.int32))
    return Replay(
        data, jnp.minimum(replay.size + added, capacity), (replay.position + added) % capacity
    )
