"""Value-learning targets and losses as small pure functions over a batch.

Names are time-indexed: ``q_tm1`` are the values at the step the action was taken,
``q_t`` at the step reached, ``r_t`` the reward between them and ``discount_t`` gamma
times 0 where the transition terminated (1 where it did not, truncations included).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from dynalab.deep.numerics import batch_mean


def huber_loss(x: jax.Array, delta: float = 1.0) -> jax.Array:
    """Huber's loss of an error ``x``: ``x^2 / 2`` where ``|x| <= delta``, else
    ``delta (|x| - delta / 2)``. Its gradient is the error clipped to [-delta, delta], as
    DQN clips its TD error (Mnih et al. 2015, Nature 518:529, Methods)."""
    absolute = jnp.abs(x)
    quadratic = jnp.minimum(absolute, delta)
    return 0.5 * quadratic**2 + delta * (absolute - quadratic)


def q_learning_target(q_t: jax.Array, r_t: jax.Array, discount_t: jax.Array) -> jax.Array:
    """DQN's target ``r_t + discount_t max_a q_t[a]`` with ``q_t`` from the target network
    (Mnih et al. 2015). Shapes: ``q_t (B, A)``, ``r_t`` and ``discount_t`` ``(B,)``."""
    return r_t + discount_t * jnp.max(q_t, axis=-1)


def double_q_learning_target(
    q_t_value: jax.Array, q_t_selector: jax.Array, r_t: jax.Array, discount_t: jax.Array
) -> jax.Array:
    """Double DQN's target: the online network picks ``argmax_a q_t_selector[a]``, the
    target network values it, ``r_t + discount_t q_t_value[argmax]`` (van Hasselt, Guez &
    Silver 2016, AAAI, eq. 4). Decoupling selection from evaluation removes most of
    Q-learning's maximisation bias."""
    best = jnp.argmax(q_t_selector, axis=-1)
    return r_t + discount_t * jnp.take_along_axis(q_t_value, best[:, None], axis=-1)[:, 0]


def td_loss(q_tm1: jax.Array, a_tm1: jax.Array, target: jax.Array, loss: str = "mse") -> jax.Array:
    """Mean loss of the TD errors ``target - q_tm1[a_tm1]``: half their square
    (``mse``) or :func:`huber_loss` (``huber``); no gradient flows into the target. The
    mean is :func:`dynalab.deep.numerics.batch_mean`.

    Huber's delta of 1 suits returns of order 1 (Mnih et al. clipped Atari's rewards);
    on CartPole (Q up to 1 / (1 - gamma) = 100) nearly every error is outside it, each
    sample pulls with the same force whatever its error, and the rare terminal
    transitions (target 1) are outvoted, so Q runs away (to ~3e5 in 50k steps with
    target_every=100, train_every=4)."""
    chosen = jnp.take_along_axis(q_tm1, a_tm1[:, None], axis=-1)[:, 0]
    error = jax.lax.stop_gradient(target) - chosen
    if loss == "huber":
        return batch_mean(huber_loss(error))
    if loss == "mse":
        return batch_mean(0.5 * error**2)
    raise ValueError(f"unknown TD loss {loss!r}; losses: mse, huber")
