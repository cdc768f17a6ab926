"""Dreamer's world model: a recurrent state-space model learned from observation sequences.

The RSSM of Hafner et al. (PlaNet, ICML 2019; DreamerV2, ICLR 2021; DreamerV3, 2023) in
a small form for CPUs. Its latent state has a deterministic part ``deter`` (a GRU's
state, the memory) and a stochastic part ``stoch``: ``groups`` categorical variables of
``classes`` classes each, one-hot, sampled with straight-through gradients and a small
uniform mix (``unimix``) so that no class ever has probability 0.

* ``img_step``: from a latent and an action, the next ``deter`` and the *prior* over the
  next ``stoch`` - what the model imagines without seeing;
* ``obs_step``: from that ``deter`` and the embedded observation, the *posterior* - what
  it believes after seeing;
* heads on ``features = [deter, stoch]``: the decoder (the observation), the reward
  (in symlog space, DreamerV3 §3) and the continue flag (a Bernoulli logit, 1 - terminated).

The loss of a transition is the decoder's squared error, the symlog reward's squared
error, the continue flag's cross-entropy, and KL balancing with free bits (DreamerV3 eq.
5): ``dyn_scale * max(free, KL[sg(post) || prior]) + rep_scale * max(free, KL[post ||
sg(prior)])``. Sequences come from the replay as transitions (:mod:`dynalab.deep.sequences`);
a transition flagged ``first`` starts from a fresh latent (zero ``deter``, the posterior of
its observation), and so does every sampled sequence's first transition.

Every sum is a pairwise sum or a dot product (:mod:`dynalab.deep.numerics`), so a run's
numbers do not depend on how many runs are ``vmap``ped together.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import equinox as eqx
import jax
import jax.numpy as jnp

from dynalab.deep.networks import MLP, NormMLP, layer_norm, zero_head
from dynalab.deep.numerics import log_softmax, mean_all, sum_last
from dynalab.deep.sequences import Steps


@dataclass(frozen=True)
class RSSMConfig:
    """The world model's sizes and loss weights (static under ``jax.jit``).

    ``norm``: DreamerV3's networks (:class:`dynalab.deep.networks.NormMLP`: layer norm
    and SiLU after each hidden layer and after the encoder's and ``img_in``'s outputs)
    instead of plain ReLU MLPs. ``zero_heads``: the decoder's and the reward head's
    output layers start at zero (DreamerV3 zero-initialises its reward and critic
    outputs). Without both, on pictures that differ in one pixel (a maze), the sampled
    codes carry no information at first and the decoder's early, state-independent error
    drives every posterior to one class (posterior collapse). The KL scales are a fifth
    of DreamerV3's (0.5, 0.1): the decoder's signal about the state is about one pixel's
    squared error, and at 0.5/0.1 the KL delays learning to encode it."""

    deter: int = 64
    groups: int = 8
    classes: int = 8
    hidden: int = 128
    embed: int = 64
    unimix: float = 0.01
    free_nats: float = 1.0
    dyn_scale: float = 0.1
    rep_scale: float = 0.02
    norm: bool = True
    zero_heads: bool = True

    @property
    def stoch(self) -> int:
        return self.groups * self.classes

    @property
    def features(self) -> int:
        return self.deter + self.stoch


class Latent(NamedTuple):
    """A latent state: the GRU's ``deter`` and the flattened one-hot ``stoch``."""

    deter: jax.Array
    stoch: jax.Array


def features(latent: Latent) -> jax.Array:
    """What the heads, the actor and the critic read: ``[deter, stoch]``."""
    return jnp.concatenate([latent.deter, latent.stoch], axis=-1)


def symlog(x: jax.Array) -> jax.Array:
    """``sign(x) log(1 + |x|)`` (DreamerV3 §3): squashes targets of unknown scale."""
    return jnp.sign(x) * jnp.log1p(jnp.abs(x))


def symexp(x: jax.Array) -> jax.Array:
    """The inverse of :func:`symlog`."""
    return jnp.sign(x) * jnp.expm1(jnp.abs(x))


class WorldModel(eqx.Module):
    """The RSSM's networks (module docstring); every MLP has one hidden layer of
    ``config.hidden`` units (a :class:`NormMLP` with ``config.norm``). The GRU is one
    weight matrix with its bias column, as the MLPs' layers (:mod:`dynalab.deep.networks`)."""

    encoder: MLP | NormMLP
    img_in: MLP | NormMLP
    gru: jax.Array
    prior: MLP | NormMLP
    posterior: MLP | NormMLP
    decoder: MLP | NormMLP
    reward: MLP | NormMLP
    cont: MLP | NormMLP

    def __init__(self, key: jax.Array, obs_size: int, n_actions: int, config: RSSMConfig):
        keys = jax.random.split(key, 8)
        hidden, deter, feats = (config.hidden,), config.deter, config.features
        net = NormMLP if config.norm else MLP
        self.encoder = net(keys[0], obs_size, config.embed, hidden)
        self.img_in = net(keys[1], config.stoch + n_actions, config.hidden, ())
        bound = 1.0 / jnp.sqrt(config.hidden + deter)
        self.gru = jax.random.uniform(
            keys[2], (3 * deter, config.hidden + deter + 1), jnp.float32, -bound, bound
        )
        self.prior = net(keys[3], deter, config.stoch, hidden)
        self.posterior = net(keys[4], deter + config.embed, config.stoch, hidden)
        self.decoder = net(keys[5], feats, obs_size, hidden)
        self.reward = net(keys[6], feats, 1, hidden)
        self.cont = net(keys[7], feats, 1, hidden)
        if config.zero_heads:
            self.decoder = zero_head(self.decoder)
            self.reward = zero_head(self.reward)


def _activate(model: WorldModel, x: jax.Array) -> jax.Array:
    """The activation of an embedding: layer norm and SiLU in a normalised model
    (DreamerV3, its networks are :class:`NormMLP`), ReLU otherwise."""
    if isinstance(model.encoder, NormMLP):
        return jax.nn.silu(layer_norm(x))
    return jax.nn.relu(x)


def _gru(weight: jax.Array, x: jax.Array, deter: jax.Array) -> jax.Array:
    """DreamerV3's GRU cell: reset, candidate and update gates from one affine map of
    ``[x, deter]``, the update gate biased toward keeping the memory."""
    joined = jnp.concatenate([x, deter, jnp.ones((1,), x.dtype)])
    reset, candidate, update = jnp.split(weight @ joined, 3)
    reset = jax.nn.sigmoid(reset)
    candidate = jnp.tanh(reset * candidate)
    update = jax.nn.sigmoid(update - 1.0)
    return update * candidate + (1.0 - update) * deter


def log_probs(logits: jax.Array, config: RSSMConfig) -> jax.Array:
    """Per group, the log-probabilities of the softmax mixed with ``unimix`` uniform:
    shape ``(groups, classes)``."""
    grouped = logits.reshape(config.groups, config.classes)
    probs = jnp.exp(log_softmax(grouped))
    return jnp.log((1.0 - config.unimix) * probs + config.unimix / config.classes)


def sample_stoch(key: jax.Array, logits: jax.Array, config: RSSMConfig) -> jax.Array:
    """A one-hot draw per group, flattened, with straight-through gradients."""
    logp = log_probs(logits, config)
    draw = jax.random.categorical(key, logp, axis=-1)
    onehot = jax.nn.one_hot(draw, config.classes, dtype=jnp.float32)
    probs = jnp.exp(logp)
    return (onehot + probs - jax.lax.stop_gradient(probs)).reshape(-1)


def mode_stoch(logits: jax.Array, config: RSSMConfig) -> jax.Array:
    """The most likely class of each group, one-hot, flattened."""
    grouped = logits.reshape(config.groups, config.classes)
    return jax.nn.one_hot(jnp.argmax(grouped, -1), config.classes, dtype=jnp.float32).reshape(-1)


def img_step(
    model: WorldModel, latent: Latent, action: jax.Array, n_actions: int
) -> tuple[jax.Array, jax.Array]:
    """The next ``deter`` after ``action`` and the prior logits over the next ``stoch``."""
    x = jnp.concatenate([latent.stoch, jax.nn.one_hot(action, n_actions, dtype=jnp.float32)])
    deter = _gru(model.gru, _activate(model, model.img_in(x)), latent.deter)
    return deter, model.prior(deter)


def obs_step(model: WorldModel, deter: jax.Array, obs: jax.Array) -> jax.Array:
    """The posterior logits over ``stoch`` given ``deter`` and the observation."""
    embed = _activate(model, model.encoder(obs))
    return model.posterior(jnp.concatenate([deter, embed]))


def _believe(
    model: WorldModel, deter: jax.Array, obs: jax.Array, config: RSSMConfig, key: jax.Array | None
) -> Latent:
    """``deter`` with the posterior's draw given ``obs`` (its mode without a ``key``)."""
    logits = obs_step(model, deter, obs)
    stoch = mode_stoch(logits, config) if key is None else sample_stoch(key, logits, config)
    return Latent(deter, stoch)


def first_latent(
    model: WorldModel, obs: jax.Array, config: RSSMConfig, key: jax.Array | None = None
) -> Latent:
    """The latent of an episode's first observation: zero ``deter``, the posterior's
    draw (its mode without a ``key``)."""
    return _believe(model, jnp.zeros(config.deter, jnp.float32), obs, config, key)


def next_latent(
    model: WorldModel,
    latent: Latent,
    action: jax.Array,
    obs: jax.Array,
    n_actions: int,
    config: RSSMConfig,
    key: jax.Array | None = None,
) -> Latent:
    """The latent after ``action`` led to ``obs``: the GRU's step, then the posterior's
    draw (its mode without a ``key``)."""
    deter, _ = img_step(model, latent, action, n_actions)
    return _believe(model, deter, obs, config, key)


def imagine_step(
    model: WorldModel,
    latent: Latent,
    action: jax.Array,
    key: jax.Array | None,
    n_actions: int,
    config: RSSMConfig,
) -> Latent:
    """The latent after ``action`` as the model imagines it: a draw from the prior (its
    mode without a ``key``)."""
    deter, prior = img_step(model, latent, action, n_actions)
    stoch = mode_stoch(prior, config) if key is None else sample_stoch(key, prior, config)
    return Latent(deter, stoch)


def kl_divergence(logits_p: jax.Array, logits_q: jax.Array, config: RSSMConfig) -> jax.Array:
    """KL[p || q] between two latents' categorical distributions, summed over groups."""
    logp, logq = log_probs(logits_p, config), log_probs(logits_q, config)
    return sum_last(sum_last(jnp.exp(logp) * (logp - logq)))


def _squared_error(prediction: jax.Array, target: jax.Array) -> jax.Array:
    return sum_last(jnp.ravel(prediction - target) ** 2)


class Observed(NamedTuple):
    """A sequence seen through the model: the latent after each transition (the start of
    imagination) and the loss's parts, each averaged over the sequence's transitions."""

    latents: Latent
    loss: jax.Array
    reconstruction: jax.Array
    kl: jax.Array


def observe_sequence(
    model: WorldModel, steps: Steps, key: jax.Array, n_actions: int, config: RSSMConfig
) -> Observed:
    """Filter one sequence of transitions (leaves shaped ``(length, ...)``) and score the
    model on it (module docstring)."""
    first = steps.first.at[0].set(True)
    keys = jax.random.split(key, (steps.action.shape[0], 2))

    def one(latent: Latent, inputs: tuple) -> tuple:
        step, starts, (first_key, post_key) = inputs
        fresh = first_latent(model, step.obs, config, first_key)
        latent = jax.tree.map(lambda a, b: jnp.where(starts, a, b), fresh, latent)
        deter, prior = img_step(model, latent, step.action, n_actions)
        post = obs_step(model, deter, step.next_obs)
        reached = Latent(deter, sample_stoch(post_key, post, config))
        feats = features(reached)
        reconstruction = _squared_error(model.decoder(feats), step.next_obs)
        fresh_error = _squared_error(model.decoder(features(fresh)), step.obs)
        reconstruction = reconstruction + jnp.where(starts, fresh_error, 0.0)
        reward = (model.reward(feats)[0] - symlog(step.reward)) ** 2
        cont = 1.0 - step.terminated.astype(jnp.float32)
        cont_loss = _bce(model.cont(feats)[0], cont)
        free = config.free_nats
        dyn = jnp.maximum(free, kl_divergence(jax.lax.stop_gradient(post), prior, config))
        rep = jnp.maximum(free, kl_divergence(post, jax.lax.stop_gradient(prior), config))
        kl = config.dyn_scale * dyn + config.rep_scale * rep
        loss = reconstruction + reward + cont_loss + kl
        return reached, (reached, loss, reconstruction, kl)

    start = Latent(jnp.zeros(config.deter), jnp.zeros(config.stoch))
    _, (latents, loss, reconstruction, kl) = jax.lax.scan(one, start, (steps, first, keys))
    return Observed(latents, mean_all(loss), mean_all(reconstruction), mean_all(kl))


def _bce(logit: jax.Array, target: jax.Array) -> jax.Array:
    """Binary cross-entropy of a logit against a 0/1 target."""
    return jax.nn.softplus(logit) - target * logit
