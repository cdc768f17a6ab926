"""The Q-network: a multi-layer perceptron from an observation to one value per action.

Written with equinox rather than flax: an equinox module *is* its parameters, a pytree
whose only leaves are the weight arrays (sizes are static), so the network goes straight
into ``lax.scan`` carries, ``jax.vmap`` over runs, optax updates and target-network copies
as one value, with no separate ``init``/``apply`` split or variable collections to thread
through (flax.linen) and no mutable objects to split and merge around every
transformation (flax.nnx).

Each layer keeps its bias as the last column of its weight matrix and sees its input with
a constant 1 appended, so that every sum in the forward and backward pass is a dot
product: the bias gradient too, which as a separate bias would be a ``reduce_sum`` over
the minibatch. XLA's CPU reductions change their summation order with the number of runs
``vmap``ped together, and its dot products do not (measured on jax 0.10), and a run's
numbers must not depend on the batch it ran in.
"""

from __future__ import annotations

import equinox as eqx
import jax
import jax.numpy as jnp

from dynalab.deep.numerics import sum_last


def _layer(key: jax.Array, n_in: int, n_out: int) -> jax.Array:
    """Weights and bias ``(n_out, n_in + 1)``, uniform in +-1/sqrt(n_in) as PyTorch's and
    equinox's linear layers start."""
    bound = 1.0 / jnp.sqrt(n_in)
    return jax.random.uniform(key, (n_out, n_in + 1), jnp.float32, -bound, bound)


def _affine(weight: jax.Array, x: jax.Array) -> jax.Array:
    return weight @ jnp.concatenate([x, jnp.ones((1,), x.dtype)])


class QNetwork(eqx.Module):
    """``Q(obs) -> [Q(obs, a) for each action]``: ReLU hidden layers, a linear head.

    The observation is flattened first. With no hidden layers the network is linear in
    the observation: on one-hot observations, a Q table (column ``s`` plus the bias
    column is Q(s, .)). The usual DQN network on low-dimensional observations
    (Mnih et al. 2015, Nature 518:529, used convolutions on pixels).
    """

    weights: tuple[jax.Array, ...]

    def __init__(
        self, key: jax.Array, obs_size: int, n_actions: int, hidden: tuple[int, ...] = (64, 64)
    ) -> None:
        sizes = (obs_size, *hidden, n_actions)
        keys = jax.random.split(key, len(sizes) - 1)
        self.weights = tuple(
            _layer(layer_key, n_in, n_out)
            for n_in, n_out, layer_key in zip(sizes[:-1], sizes[1:], keys, strict=True)
        )

    def __call__(self, obs: jax.Array) -> jax.Array:
        x = jnp.ravel(obs).astype(jnp.float32)
        for weight in self.weights[:-1]:
            x = jax.nn.relu(_affine(weight, x))
        return _affine(self.weights[-1], x)


def q_values(network: QNetwork, observations: jax.Array) -> jax.Array:
    """Q of a batch of observations: shape ``(batch, n_actions)``."""
    return jax.vmap(network)(observations)


MLP = QNetwork
"""The lab's multi-layer perceptron, by its general name: ``MLP(key, n_in, n_out, hidden)``
(ReLU hidden layers, a linear head), as the world models and Dreamer's heads use it."""


def layer_norm(x: jax.Array, eps: float = 1e-3) -> jax.Array:
    """Layer normalisation over the last axis without a learned scale or offset (Ba et al.
    2016; the next layer's weights and bias column can absorb them), its mean and
    variance summed by :func:`dynalab.deep.numerics.sum_last` so that a run's numbers do
    not depend on its batch."""
    n = x.shape[-1]
    mean = sum_last(x)[..., None] / n
    centred = x - mean
    var = sum_last(centred * centred)[..., None] / n
    return centred * jax.lax.rsqrt(var + eps)


class NormMLP(eqx.Module):
    """DreamerV3's MLP (Hafner et al. 2023, appendix B): each hidden layer is an affine
    map, layer normalisation and SiLU; a linear head. Weights carry their bias as the last
    column (module docstring)."""

    weights: tuple[jax.Array, ...]

    def __init__(
        self, key: jax.Array, n_in: int, n_out: int, hidden: tuple[int, ...] = (64, 64)
    ) -> None:
        sizes = (n_in, *hidden, n_out)
        keys = jax.random.split(key, len(sizes) - 1)
        self.weights = tuple(
            _layer(layer_key, a, b)
            for a, b, layer_key in zip(sizes[:-1], sizes[1:], keys, strict=True)
        )

    def __call__(self, x: jax.Array) -> jax.Array:
        x = jnp.ravel(x).astype(jnp.float32)
        for weight in self.weights[:-1]:
            x = jax.nn.silu(layer_norm(_affine(weight, x)))
        return _affine(self.weights[-1], x)


def zero_head(network: eqx.Module) -> eqx.Module:
    """``network`` with its output layer (weights and bias column) set to zero, so that
    it predicts 0 until it learns (DreamerV3, Hafner et al. 2023, zero-initialises the
    output layers of its reward predictor and critic)."""
    last = network.weights[-1]
    return eqx.tree_at(lambda n: n.weights[-1], network, jnp.zeros_like(last))
