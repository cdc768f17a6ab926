"""Learning to act in imagination: Dreamer's actor and critic, trained on model rollouts only.

From every latent state the world model reached on a replayed sequence, the actor is
rolled ``horizon`` steps through the model's prior (:func:`imagine`); the model predicts
each step's reward and continue probability. The critic learns lambda-returns over those
imagined steps, bootstrapped by a slowly moving copy of itself; the actor learns by
REINFORCE on the advantage of the lambda-return over the critic, the returns normalised
by their 5th-95th percentile range (only ever scaled down, never up), plus an entropy
bonus (DreamerV3, Hafner et al. 2023, §3 and eq. 7-10; discrete actions, so REINFORCE
rather than backpropagation through the dynamics). Imagined steps after a predicted end
weigh less: step ``t`` weighs the product of ``gamma * continue`` before it.

Every sum is a pairwise sum or a dot product (:mod:`dynalab.deep.numerics`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import jax
import jax.numpy as jnp

from dynalab.deep.networks import MLP
from dynalab.deep.numerics import log_softmax, mean_all, sum_last
from dynalab.deep.rssm import (
    Latent,
    RSSMConfig,
    WorldModel,
    features,
    imagine_step,
    symexp,
)

PERCENTILES = (5.0, 95.0)
"""The range of the returns the advantages are divided by (DreamerV3)."""


@dataclass(frozen=True)
class BehaviorConfig:
    """The actor-critic's settings (static under ``jax.jit``): imagination ``horizon``,
    discount ``gamma`` and ``lam``bda of the returns, ``entropy`` bonus weight, the
    actor's uniform mix, the slow critic's EMA rate per update and the return range's
    EMA decay."""

    horizon: int = 15
    gamma: float = 0.99
    lam: float = 0.95
    entropy: float = 3e-3
    unimix: float = 0.01
    slow_rate: float = 0.02
    range_decay: float = 0.99


class Imagined(NamedTuple):
    """One imagined trajectory: ``feats`` of states 0..H, ``actions`` 0..H-1, and the
    model's ``rewards`` and ``conts`` (continue probabilities) of steps 1..H."""

    feats: jax.Array
    actions: jax.Array
    rewards: jax.Array
    conts: jax.Array


def per_step(fn: Callable[[jax.Array], jax.Array], feats: jax.Array) -> jax.Array:
    """``fn`` of each feature vector of ``feats`` (any leading shape, kept), as one
    ``vmap`` over them flattened: a nested ``vmap`` compiles to kernels about twice as
    slow on CPU (measured on jax 0.10)."""
    flat = feats.reshape(-1, feats.shape[-1])
    out = jax.vmap(fn)(flat)
    return out.reshape(*feats.shape[:-1], *out.shape[1:])


def actor_log_probs(actor: MLP, feats: jax.Array, unimix: float) -> jax.Array:
    """The actor's log-probabilities of each action, mixed with ``unimix`` uniform."""
    logits = actor(feats)
    probs = jnp.exp(log_softmax(logits))
    return jnp.log((1.0 - unimix) * probs + unimix / logits.shape[-1])


def imagine(
    model: WorldModel,
    actor: MLP,
    start: Latent,
    key: jax.Array,
    n_actions: int,
    rssm: RSSMConfig,
    config: BehaviorConfig,
) -> Imagined:
    """The actor's ``horizon``-step rollout from ``start`` through the model's prior;
    no gradient flows through it."""
    model, actor, start = jax.lax.stop_gradient((model, actor, start))

    def one(latent: Latent, step_key: jax.Array) -> tuple:
        action_key, prior_key = jax.random.split(step_key)
        feats = features(latent)
        logp = actor_log_probs(actor, feats, config.unimix)
        action = jax.random.categorical(action_key, logp).astype(jnp.int32)
        reached = imagine_step(model, latent, action, prior_key, n_actions, rssm)
        return reached, (feats, action, features(reached))

    end, (feats, actions, reached) = jax.lax.scan(one, start, jax.random.split(key, config.horizon))
    del end
    rewards = jax.vmap(lambda f: symexp(model.reward(f)[0]))(reached)
    conts = jax.vmap(lambda f: jax.nn.sigmoid(model.cont(f)[0]))(reached)
    return Imagined(jnp.concatenate([feats, reached[-1:]]), actions, rewards, conts)


def lambda_returns(
    rewards: jax.Array, conts: jax.Array, values: jax.Array, gamma: float, lam: float
) -> jax.Array:
    """``R_t = r_{t+1} + gamma c_{t+1} ((1 - lam) v_{t+1} + lam R_{t+1})``, ``R_H = v_H``,
    for t = 0..H-1 (``values`` has H + 1 entries)."""

    def back(following: jax.Array, inputs: tuple) -> tuple:
        reward, cont, value = inputs
        ret = reward + gamma * cont * ((1.0 - lam) * value + lam * following)
        return ret, ret

    _, returns = jax.lax.scan(back, values[-1], (rewards, conts, values[1:]), reverse=True)
    return returns


def step_weights(conts: jax.Array, gamma: float) -> jax.Array:
    """Weight of imagined steps 0..H-1: 1, then the running product of ``gamma * c``."""

    def running(product: jax.Array, discount: jax.Array) -> tuple:
        return product * discount, product

    _, weights = jax.lax.scan(running, jnp.float32(1.0), gamma * conts)
    return weights


class BehaviorLosses(NamedTuple):
    actor: jax.Array
    critic: jax.Array


def critic_loss(
    critic: MLP, imagined: Imagined, returns: jax.Array, weights: jax.Array
) -> jax.Array:
    """The weighted squared error of the critic against the (fixed) lambda-returns, over
    a batch of trajectories (leading axis)."""
    values = per_step(lambda f: critic(f)[0], imagined.feats[:, :-1])
    return mean_all(0.5 * weights * (values - jax.lax.stop_gradient(returns)) ** 2)


def actor_loss(
    actor: MLP,
    imagined: Imagined,
    advantages: jax.Array,
    weights: jax.Array,
    config: BehaviorConfig,
) -> jax.Array:
    """REINFORCE on the (fixed, normalised) advantages minus the entropy bonus, weighted,
    over a batch of trajectories (leading axis)."""
    logp = per_step(lambda f: actor_log_probs(actor, f, config.unimix), imagined.feats[:, :-1])
    taken = jnp.take_along_axis(logp, imagined.actions[..., None], axis=-1)[..., 0]
    entropy = -sum_last(jnp.exp(logp) * logp)
    objective = jax.lax.stop_gradient(advantages) * taken + config.entropy * entropy
    return -mean_all(weights * objective)


def return_range(returns: jax.Array) -> jax.Array:
    """The 95th minus the 5th percentile of a batch of returns."""
    low, high = jnp.percentile(jnp.ravel(returns), jnp.asarray(PERCENTILES))
    return high - low
