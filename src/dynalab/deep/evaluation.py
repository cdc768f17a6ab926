"""Evaluating an agent inside the compiled run: greedy episodes, belief, the Q table.

At each evaluation point the run plays ``episodes`` greedy episodes (``vmap``ped, each a
``lax.while_loop`` to its end or the world's evaluation cap) and records their mean
return, their mean discounted return from the start (what the policy actually obtained)
and the mean of what the agent believes it will obtain from their start states (``max_a
Q(s0, a)`` for a Q-network, the critic's value for Dreamer). On a tabular world a
Q-network also records Q of every state, so that the exact value of the greedy policy
can be computed afterwards by dynalab's ground truth
(:func:`dynalab.deep.runs.exact_greedy_values`).

An agent acts through a :class:`GreedyPolicy`: a memory started from the first
observation (a Q-network remembers the observation; Dreamer its latent state), an action
from the memory, and the memory updated by the action and the observation it led to.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp

from dynalab.deep.networks import QNetwork, q_values
from dynalab.deep.numerics import batch_mean
from dynalab.deep.worlds import World


class Evaluation(NamedTuple):
    """Means over the evaluation episodes: undiscounted return, discounted return from the
    start, and the network's believed start value ``max_a Q(s0, a)``."""

    eval_return: jax.Array
    eval_discounted_return: jax.Array
    believed_value: jax.Array


class GreedyPolicy(NamedTuple):
    """How an agent acts in an evaluation episode: ``start(obs) -> (memory, believed
    value)``, ``act(memory) -> action`` and ``remember(memory, action, obs) -> memory``."""

    start: Callable[[jax.Array], tuple[Any, jax.Array]]
    act: Callable[[Any], jax.Array]
    remember: Callable[[Any, jax.Array, jax.Array], Any]


def q_policy(network: QNetwork) -> GreedyPolicy:
    """A Q-network's greedy policy (ties to the lowest action); it believes ``max_a
    Q(s0, a)``."""
    return GreedyPolicy(
        start=lambda obs: (obs, jnp.max(network(obs))),
        act=lambda obs: jnp.argmax(network(obs)).astype(jnp.int32),
        remember=lambda memory, action, obs: obs,
    )


class _Episode(NamedTuple):
    memory: Any
    state: Any
    time: jax.Array
    done: jax.Array
    total: jax.Array
    discounted: jax.Array
    discount: jax.Array


def greedy_episode(
    world: World, policy: GreedyPolicy, key: jax.Array, gamma: float
) -> tuple[jax.Array, jax.Array, jax.Array]:
    """One episode of the greedy policy, capped at ``world.eval_steps``: ``(return,
    discounted return, believed start value)``."""
    reset_key, step_key = jax.random.split(key)
    obs, state = world.reset(reset_key)
    memory, believed = policy.start(obs)

    def going(episode: _Episode) -> jax.Array:
        return jnp.logical_and(~episode.done, episode.time < world.eval_steps)

    def one_step(episode: _Episode) -> _Episode:
        action = policy.act(episode.memory)
        key = jax.random.fold_in(step_key, episode.time)
        obs, state, reward, terminated, truncated = world.step(key, episode.state, action)
        return _Episode(
            policy.remember(episode.memory, action, obs),
            state,
            episode.time + 1,
            jnp.logical_or(terminated, truncated),
            episode.total + reward,
            episode.discounted + episode.discount * reward,
            episode.discount * gamma,
        )

    zero = jnp.float32(0.0)
    start = _Episode(memory, state, jnp.int32(0), jnp.bool_(False), zero, zero, jnp.float32(1.0))
    end = jax.lax.while_loop(going, one_step, start)
    return end.total, end.discounted, believed


def evaluate(
    world: World, policy: GreedyPolicy, key: jax.Array, episodes: int, gamma: float
) -> Evaluation:
    """Means over ``episodes`` greedy episodes (see :func:`greedy_episode`)."""
    keys = jax.random.split(key, episodes)
    total, discounted, believed = jax.vmap(lambda k: greedy_episode(world, policy, k, gamma))(keys)
    return Evaluation(batch_mean(total), batch_mean(discounted), batch_mean(believed))


def q_table(world: World, network: QNetwork) -> jax.Array:
    """Q of every state of a tabular world, shape ``(n_states, n_actions)``."""
    if world.observations is None:
        raise ValueError(f"world {world.name!r} is not a table: it has no state observations")
    return q_values(network, jnp.asarray(world.observations))
