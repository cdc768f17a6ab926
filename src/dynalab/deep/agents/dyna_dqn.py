"""Dyna-DQN: DQN that also learns from short rollouts of a learned world model.

Sutton's Dyna (Sutton & Barto §8.2) with a neural model, in the branched form MBPO uses
(Janner et al. 2019, NeurIPS): every ``rollout_every`` real steps, ``rollouts`` states are
drawn from the real replay and each is rolled ``horizon`` steps through the model
(:mod:`dynalab.deep.world_model`: a member drawn per step) with the current epsilon-greedy
policy; the simulated transitions fill a model replay. Each gradient step of DQN then
learns from a minibatch of which a fraction ``real_ratio`` comes from the real replay and
the rest from the model replay, ``updates`` steps per real step.

Where the model's members disagree it is likely wrong, and planning on it is where model
exploitation happens. ``uncertainty``:

* ``none``: use the model's transitions as they are;
* ``penalty``: subtract ``penalty`` times the disagreement from the simulated reward
  (MOPO, Yu et al. 2020, NeurIPS);
* ``truncate``: end a rollout at the first step whose disagreement exceeds ``threshold``,
  that step not stored (as model-based masking methods do, e.g. M2AC, Pan et al. 2020).

DQN's own loop (:mod:`dynalab.deep.agents.dqn`) calls :func:`dyna_phase` after storing
each real transition and :func:`training_batch` for each minibatch.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import jax
import jax.numpy as jnp

from dynalab.deep.networks import QNetwork, q_values
from dynalab.deep.numerics import pairwise_sum
from dynalab.deep.replay import Replay, Transitions, replay_add_many, replay_sample
from dynalab.deep.world_model import ModelConfig, ModelState, sample_step, train_round

UNCERTAINTY_USES = ("none", "penalty", "truncate")


@dataclass(frozen=True)
class DynaConfig:
    """The planning half of dyna-dqn (static under ``jax.jit``): see the module docstring
    for each field; ``model`` is the world model's :class:`ModelConfig`."""

    model: ModelConfig
    horizon: int = 1
    rollouts: int = 256
    rollout_every: int = 10
    real_ratio: float = 0.5
    updates: int = 1
    uncertainty: str = "none"
    penalty: float = 1.0
    threshold: float = 0.05


class Rollouts(NamedTuple):
    """Running totals of the rollouts since the last evaluation: simulated transitions
    stored, rollout steps cut by truncation, and the summed disagreement of the stored
    ones."""

    stored: jax.Array
    cut: jax.Array
    disagreement: jax.Array


def no_rollouts() -> Rollouts:
    return Rollouts(jnp.int32(0), jnp.int32(0), jnp.float32(0.0))


def _epsilon_greedy_batch(
    key: jax.Array, online: QNetwork, obs: jax.Array, epsilon: jax.Array
) -> jax.Array:
    explore_key, action_key = jax.random.split(key)
    q = q_values(online, obs)
    random_action = jax.random.randint(action_key, (obs.shape[0],), 0, q.shape[-1])
    explore = jax.random.uniform(explore_key, (obs.shape[0],)) < epsilon
    return jnp.where(explore, random_action, jnp.argmax(q, axis=-1)).astype(jnp.int32)


def rollout(
    members: QNetwork,
    online: QNetwork,
    real: Replay,
    simulated: Replay,
    key: jax.Array,
    epsilon: jax.Array,
    n_actions: int,
    config: DynaConfig,
) -> tuple[Replay, Rollouts]:
    """Branched rollouts from real replay states into the model replay (module docstring)."""
    start_key, steps_key = jax.random.split(key)
    obs = replay_sample(real, start_key, config.rollouts).obs
    alive = jnp.ones(config.rollouts, jnp.bool_)
    totals = no_rollouts()

    def one_step(carry: tuple, depth: jax.Array) -> tuple:
        obs, alive, simulated, totals = carry
        act_key, model_key = jax.random.split(jax.random.fold_in(steps_key, depth))
        action = _epsilon_greedy_batch(act_key, online, obs, epsilon)
        keys = jax.random.split(model_key, config.rollouts)
        next_obs, reward, terminated, spread = jax.vmap(
            lambda k, o, a: sample_step(members, k, o, a, n_actions, config.model.probabilistic)
        )(keys, obs, action)
        if config.uncertainty == "penalty":
            reward = reward - config.penalty * spread
        keep = alive
        cut = jnp.zeros_like(alive)
        if config.uncertainty == "truncate":
            cut = jnp.logical_and(alive, spread > config.threshold)
            keep = jnp.logical_and(alive, ~cut)
        stored = Transitions(obs, action, reward, next_obs, terminated)
        simulated = replay_add_many(simulated, stored, keep)
        totals = Rollouts(
            totals.stored + jnp.sum(keep.astype(jnp.int32)),
            totals.cut + jnp.sum(cut.astype(jnp.int32)),
            totals.disagreement + pairwise_sum(jnp.where(keep, spread, 0.0)),
        )
        alive = jnp.logical_and(keep, ~terminated)
        return (next_obs, alive, simulated, totals), None

    (_, _, simulated, totals), _ = jax.lax.scan(
        one_step, (obs, alive, simulated, totals), jnp.arange(config.horizon)
    )
    return simulated, totals


def dyna_phase(
    model: ModelState,
    online: QNetwork,
    real: Replay,
    simulated: Replay,
    taken: jax.Array,
    started: jax.Array,
    key: jax.Array,
    epsilon: jax.Array,
    n_actions: int,
    config: DynaConfig,
) -> tuple[ModelState, Replay, Rollouts]:
    """After real step number ``taken`` (from 1): train the model every
    ``model.train_every`` steps and roll out every ``rollout_every`` steps, once learning
    has ``started``."""
    train_key, rollout_key = jax.random.split(key)
    train_now = jnp.logical_and(started, taken % config.model.train_every == 0)
    model = jax.lax.cond(
        train_now,
        lambda: train_round(model, real, train_key, n_actions, config.model),
        lambda: model,
    )
    roll_now = jnp.logical_and(started, taken % config.rollout_every == 0)
    return (model,) + jax.lax.cond(
        roll_now,
        lambda: rollout(
            model.members, online, real, simulated, rollout_key, epsilon, n_actions, config
        ),
        lambda: (simulated, no_rollouts()),
    )


def training_batch(
    real: Replay, simulated: Replay, key: jax.Array, batch: int, config: DynaConfig
) -> Transitions:
    """A minibatch of ``batch``: ``round(real_ratio * batch)`` real transitions, the rest
    simulated (all real while the model replay is empty)."""
    real_key, simulated_key = jax.random.split(key)
    n_real = round(config.real_ratio * batch)
    from_real = replay_sample(real, real_key, batch)
    from_model = replay_sample(simulated, simulated_key, batch)
    use_model = jnp.logical_and(jnp.arange(batch) >= n_real, simulated.size > 0)

    def mix(r: jax.Array, m: jax.Array) -> jax.Array:
        return jnp.where(use_model.reshape((-1,) + (1,) * (r.ndim - 1)), m, r)

    return jax.tree.map(mix, from_real, from_model)
