"""A replay of real experience that hands out sequences, for learning a recurrent model.

Each env step is stored as one transition (:class:`Steps`) with a ``first`` flag: its
observation started an episode, so a recurrent model must start afresh there. The buffer
is the ring buffer of :mod:`dynalab.deep.replay` (a pytree, ``vmap``ped over runs);
:func:`sample_sequences` draws windows of consecutive transitions that never cross the
write position (the seam between the newest and the oldest transitions).
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp

from dynalab.deep.replay import Replay


class Steps(NamedTuple):
    """Transitions in order: ``obs``, ``action``, ``reward``, ``next_obs`` reached,
    ``terminated`` (the MDP ended; a time limit is not termination) and ``first`` (``obs``
    began an episode)."""

    obs: jax.Array
    action: jax.Array
    reward: jax.Array
    next_obs: jax.Array
    terminated: jax.Array
    first: jax.Array


def sequence_replay_init(capacity: int, obs_shape: tuple[int, ...]) -> Replay:
    """An empty buffer of ``capacity`` transitions; add with
    :func:`dynalab.deep.replay.replay_add`."""
    data = Steps(
        obs=jnp.zeros((capacity, *obs_shape), jnp.float32),
        action=jnp.zeros(capacity, jnp.int32),
        reward=jnp.zeros(capacity, jnp.float32),
        next_obs=jnp.zeros((capacity, *obs_shape), jnp.float32),
        terminated=jnp.zeros(capacity, jnp.bool_),
        first=jnp.zeros(capacity, jnp.bool_),
    )
    return Replay(data, jnp.int32(0), jnp.int32(0))


def sample_sequences(replay: Replay, key: jax.Array, batch: int, length: int) -> Steps:
    """``batch`` windows of ``length`` consecutive stored transitions, starts drawn
    uniformly (the buffer must hold at least ``length``): leaves ``(batch, length, ...)``."""
    capacity = replay.capacity
    oldest = (replay.position - replay.size) % capacity
    starts = jax.random.randint(key, (batch,), 0, jnp.maximum(replay.size - length + 1, 1))
    index = (oldest + starts[:, None] + jnp.arange(length)[None, :]) % capacity
    return jax.tree.map(lambda stored: stored[index], replay.data)
