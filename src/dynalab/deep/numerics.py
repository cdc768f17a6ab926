"""Sums whose rounding does not depend on how many runs are ``vmap``ped together.

XLA's CPU backend picks a reduction's summation order by the shape it compiles, batch
axis included: ``jnp.mean`` of a run's minibatch, or its dot product with a constant
vector, can differ in the last bit between a batch of 4 runs and one of 8 (measured on
jax 0.10). Elementwise operations and dot products of two batched operands (a run's
weights and a run's activations) keep one order per run. So every float sum that feeds a
run's numbers is one of those: :func:`pairwise_sum` (elementwise additions in a fixed
tree), the networks' bias columns (their gradient is part of the weight gradient's dot
product), or a running total carried through ``lax.scan`` (one addition per step).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp


def pairwise_sum(x: jax.Array) -> jax.Array:
    """The sum of a vector by elementwise additions of halves (padded with zeros to a
    power of two): the same rounding in any batch."""
    size = 1
    while size < x.shape[0]:
        size *= 2
    x = jnp.concatenate([x, jnp.zeros((size - x.shape[0],), x.dtype)])
    while x.shape[0] > 1:
        x = x[0::2] + x[1::2]
    return x[0]


def batch_mean(x: jax.Array) -> jax.Array:
    """The mean of a vector, :func:`pairwise_sum` over its length."""
    return pairwise_sum(x) / x.shape[0]


def sum_last(x: jax.Array) -> jax.Array:
    """The sum over the last axis by elementwise additions of halves (padded with zeros
    to a power of two): the same rounding in any batch."""
    size = 1
    while size < x.shape[-1]:
        size *= 2
    pad = [(0, 0)] * (x.ndim - 1) + [(0, size - x.shape[-1])]
    x = jnp.pad(x, pad)
    while x.shape[-1] > 1:
        x = x[..., 0::2] + x[..., 1::2]
    return x[..., 0]


def mean_all(x: jax.Array) -> jax.Array:
    """The mean of every entry of ``x``, :func:`sum_last` over its flattened entries."""
    return sum_last(jnp.ravel(x)) / x.size


def log_softmax(logits: jax.Array) -> jax.Array:
    """``log softmax`` over the last axis, its normaliser summed by :func:`sum_last`
    (``jax.nn.log_softmax`` reduces in an order that moves with the batch)."""
    shifted = logits - jax.lax.stop_gradient(jnp.max(logits, axis=-1, keepdims=True))
    return shifted - jnp.log(sum_last(jnp.exp(shifted)))[..., None]
