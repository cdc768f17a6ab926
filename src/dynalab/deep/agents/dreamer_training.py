"""Dreamer's learning (Hafner et al. 2020-2023): its settings, its networks, and one
training step - the world model's update on replayed sequences, then the actor's and the
critic's on rollouts imagined from the beliefs the model reached
(:mod:`dynalab.deep.agents.dreamer` acts and runs; :mod:`dynalab.deep.rssm` and
:mod:`dynalab.deep.imagination` hold the model and the actor-critic's parts).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import optax

from dynalab.agents.config import AgentConfig
from dynalab.deep.imagination import (
    BehaviorConfig,
    actor_loss,
    critic_loss,
    imagine,
    lambda_returns,
    per_step,
    return_range,
    step_weights,
)
from dynalab.deep.networks import NormMLP
from dynalab.deep.numerics import mean_all
from dynalab.deep.replay import Replay
from dynalab.deep.rssm import Latent, RSSMConfig, WorldModel, first_latent, observe_sequence
from dynalab.deep.sequences import Steps, sample_sequences


@dataclass(frozen=True)
class DreamerConfig:
    """Dreamer's settings as the compiled run takes them (hashable, static under
    ``jax.jit``); build it with :func:`dreamer_config` from the registry's keys."""

    rssm: RSSMConfig
    behavior: BehaviorConfig
    units: int
    batch: int
    length: int
    buffer: int
    train_every: int
    learning_starts: int
    model_lr: float
    actor_lr: float
    critic_lr: float
    fresh_share: float = 0.0

    @property
    def gamma(self) -> float:
        return self.behavior.gamma


def dreamer_config(agent: AgentConfig | None = None, /, **keys: Any) -> DreamerConfig:
    """The :class:`DreamerConfig` of a ``dreamer`` agent configuration, or of
    ``AgentConfig(name="dreamer", **keys)``. Raises ``AgentConfigError`` for a value out
    of range."""
    if agent is None:
        agent = AgentConfig(name="dreamer", **keys)
    elif keys:
        raise TypeError("dreamer_config takes an AgentConfig or keys, not both")
    if agent.name != "dreamer":
        raise ValueError(f"dreamer_config needs a dreamer configuration, got {agent.name!r}")
    s = dict(agent.settings)
    rssm = RSSMConfig(
        deter=s["deter"],
        groups=s["groups"],
        classes=s["classes"],
        hidden=s["units"],
        embed=s["units"],
        free_nats=s["free_nats"],
    )
    behavior = BehaviorConfig(
        horizon=s["horizon"], gamma=agent.gamma, lam=s["lam"], entropy=s["entropy"]
    )
    return DreamerConfig(
        rssm=rssm,
        behavior=behavior,
        units=s["units"],
        batch=s["batch"],
        length=s["length"],
        buffer=s["buffer"],
        train_every=s["train_every"],
        learning_starts=s["learning_starts"],
        model_lr=s["model_lr"],
        actor_lr=s["actor_lr"],
        critic_lr=s["critic_lr"],
        fresh_share=s["fresh_share"],
    )


class Nets(NamedTuple):
    """What a training step changes: the three networks, the slow critic, the three
    optimisers' states and the running range of imagined returns."""

    model: WorldModel
    actor: NormMLP
    critic: NormMLP
    slow_critic: NormMLP
    model_opt: Any
    actor_opt: Any
    critic_opt: Any
    return_range: jax.Array


def adam(lr: float) -> optax.GradientTransformation:
    """Adam with DreamerV3's epsilon (1e-6), for the model, the actor and the critic."""
    return optax.adam(lr, eps=1e-6)


def _flat(steps: Steps) -> Steps:
    """Observations flattened to vectors (the model reads vectors)."""
    lead = steps.action.ndim
    return steps._replace(
        obs=steps.obs.reshape(*steps.obs.shape[:lead], -1),
        next_obs=steps.next_obs.reshape(*steps.next_obs.shape[:lead], -1),
    )


def model_update(
    nets: Nets, replay: Replay, key: jax.Array, n_actions: int, config: DreamerConfig
) -> tuple[Nets, jax.Array, Latent]:
    """The world model's Adam step on ``batch`` replayed sequences of ``length``: the new
    networks, the model's loss, and imagination's starts: the posterior latents it
    reached on them, flattened, with a ``fresh_share`` of them (spread evenly) replaced
    by the belief formed afresh from the same observation (:func:`fresh_starts`)."""
    sample_key, model_key, fresh_key = jax.random.split(key, 3)
    batch = _flat(sample_sequences(replay, sample_key, config.batch, config.length))
    sequence_keys = jax.random.split(model_key, config.batch)

    def model_loss(model: WorldModel) -> tuple:
        observed = jax.vmap(
            lambda steps, k: observe_sequence(model, steps, k, n_actions, config.rssm)
        )(batch, sequence_keys)
        return mean_all(observed.loss), observed.latents

    (loss, latents), grads = jax.value_and_grad(model_loss, has_aux=True)(nets.model)
    updates, model_opt = adam(config.model_lr).update(grads, nets.model_opt, nets.model)
    model = optax.apply_updates(nets.model, updates)
    starts = jax.tree.map(lambda leaf: leaf.reshape(-1, leaf.shape[-1]), latents)
    if config.fresh_share > 0:
        seen = batch.next_obs.reshape(-1, batch.next_obs.shape[-1])
        starts = fresh_starts(model, starts, seen, fresh_key, config)
    return nets._replace(model=model, model_opt=model_opt), loss, starts


def fresh_starts(
    model: WorldModel,
    starts: Latent,
    observations: jax.Array,
    key: jax.Array,
    config: DreamerConfig,
) -> Latent:
    """``starts`` with an evenly spread ``fresh_share`` of them replaced by the belief the
    model forms from the same observation alone (zero recurrent state, a posterior draw).

    An episode's first belief is of this kind, and so is the belief :func:`policy_table`
    asks the actor about in every state; without these starts the actor learns only on
    beliefs carrying a history (DreamerV3 as published) and acts arbitrarily on fresh ones:
    on the pixel Dyna maze its policy table was worth 0-36% of V* while its greedy episodes
    reached the goal (4 runs x 10k steps, measured)."""
    count = starts.deter.shape[0]
    index = jnp.arange(count, dtype=jnp.float32)
    share = config.fresh_share
    chosen = jnp.floor((index + 1) * share) > jnp.floor(index * share)
    keys = jax.random.split(key, count)
    fresh = jax.vmap(lambda obs, k: first_latent(model, obs, config.rssm, k))(observations, keys)
    return jax.tree.map(
        lambda a, b: jnp.where(chosen[:, None], a, b), jax.lax.stop_gradient(fresh), starts
    )


def behavior_update(
    nets: Nets, starts: Latent, key: jax.Array, n_actions: int, config: DreamerConfig
) -> Nets:
    """The actor's and the critic's Adam steps on rollouts imagined from ``starts``
    (:mod:`dynalab.deep.imagination`), the slow critic's move toward the critic and the
    running range of returns."""
    behavior = config.behavior
    count = starts.deter.shape[0]
    imagined = jax.vmap(
        lambda start, k: imagine(
            nets.model, nets.actor, start, k, n_actions, config.rssm, config.behavior
        )
    )(starts, jax.random.split(key, count))
    slow_values = per_step(lambda f: nets.slow_critic(f)[0], imagined.feats)
    returns = jax.vmap(lambda r, c, v: lambda_returns(r, c, v, behavior.gamma, behavior.lam))(
        imagined.rewards, imagined.conts, slow_values
    )
    weights = jax.vmap(lambda c: step_weights(c, behavior.gamma))(imagined.conts)
    spread = behavior.range_decay * nets.return_range + (1 - behavior.range_decay) * (
        return_range(returns)
    )
    values = per_step(lambda f: nets.critic(f)[0], imagined.feats[:, :-1])
    advantages = (returns - values) / jnp.maximum(1.0, spread)

    actor_grads = jax.grad(actor_loss)(nets.actor, imagined, advantages, weights, behavior)
    updates, actor_opt = adam(config.actor_lr).update(actor_grads, nets.actor_opt, nets.actor)
    actor = optax.apply_updates(nets.actor, updates)
    critic_grads = jax.grad(critic_loss)(nets.critic, imagined, returns, weights)
    updates, critic_opt = adam(config.critic_lr).update(critic_grads, nets.critic_opt, nets.critic)
    critic = optax.apply_updates(nets.critic, updates)
    rate = behavior.slow_rate
    slow = jax.tree.map(lambda s, c: (1 - rate) * s + rate * c, nets.slow_critic, critic)
    return nets._replace(
        actor=actor,
        critic=critic,
        slow_critic=slow,
        actor_opt=actor_opt,
        critic_opt=critic_opt,
        return_range=spread,
    )


def train_step(
    nets: Nets, replay: Replay, key: jax.Array, n_actions: int, config: DreamerConfig
) -> tuple[Nets, jax.Array]:
    """One training step (module docstring): the world model's update, then the actor's
    and critic's from the latents it reached; the new networks and the model's loss."""
    model_key, behavior_key = jax.random.split(key)
    nets, loss, starts = model_update(nets, replay, model_key, n_actions, config)
    return behavior_update(nets, starts, behavior_key, n_actions, config), loss
