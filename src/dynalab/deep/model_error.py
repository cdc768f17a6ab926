"""How wrong the learned world model is, measured from real experience at each evaluation.

Two measures beside the one-step held-out error
(:func:`dynalab.deep.world_model.one_step_error`):

* **Open-loop rollout error** (:func:`rollout_errors`): from real states, the members'
  mean prediction is fed back into itself for h = 1..``ROLLOUT_ERROR_HORIZON`` steps under
  the actions actually taken, and compared with the real observation h steps later. The
  squared error is divided, per dimension, by the variance of the windows' starting
  observations (one scale for every horizon, so 1 is as far off as the typical distance
  between two states) and averaged over dimensions. Errors that compound show as a curve
  that rises with h: the reason long model rollouts mislead (Janner et al. 2019, MBPO,
  §4; Talvitie 2014).
* **Does disagreement know where the model is wrong?** (:func:`disagreement_rank_correlation`):
  on held-out real transitions, Spearman's rank correlation between the members'
  disagreement (their variance about their mean) and the actual one-step error. Near 1,
  disagreement ranks the model's errors as they are, which is what penalties and
  truncation rely on (Lakshminarayanan et al. 2017; MOPO, Yu et al. 2020); nan for a
  single member.

Real sequences come from the real replay in the order they were stored; a window counts
only where each transition's next observation is the following one's observation (no
episode boundary inside). Sums are pairwise (:mod:`dynalab.deep.numerics`), so a run's
numbers do not depend on its batch.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from dynalab.deep.networks import QNetwork
from dynalab.deep.numerics import batch_mean, pairwise_sum
from dynalab.deep.replay import Replay, Transitions
from dynalab.deep.world_model import mean_next_obs, member_mean, predict

ROLLOUT_ERROR_HORIZON = 10
"""Open-loop horizons measured: 1..10 model steps."""
ROLLOUT_ERROR_STARTS = 256
"""Real windows drawn for the rollout error."""


def real_windows(
    replay: Replay, key: jax.Array, count: int, horizon: int
) -> tuple[Transitions, jax.Array]:
    """``count`` windows of ``horizon`` consecutive stored transitions (leaves shaped
    ``(count, horizon, ...)``), drawn uniformly, and whether each is one unbroken piece of
    an episode."""
    oldest = jnp.where(replay.size < replay.capacity, 0, replay.position)
    last_start = jnp.maximum(replay.size - horizon, 0)
    start = jax.random.randint(key, (count,), 0, last_start + 1)
    slots = (oldest + start[:, None] + jnp.arange(horizon)[None, :]) % replay.capacity
    windows = jax.tree.map(lambda stored: stored[slots], replay.data)
    joined = jnp.all(
        (windows.next_obs[:, :-1] == windows.obs[:, 1:]).reshape(count, horizon - 1, -1), axis=-1
    )
    ongoing = jnp.logical_and(joined, ~windows.terminated[:, :-1])
    whole = jnp.logical_and(jnp.all(ongoing, axis=1), replay.size >= horizon)
    return windows, whole


def scaled_window_errors(
    predicted: jax.Array, windows: Transitions, whole: jax.Array, pooled: bool = False
) -> jax.Array:
    """The error of ``predicted`` (shape ``(count, horizon, ...)``, the prediction of each
    window's ``next_obs``) after 1..horizon steps, averaged over the whole windows: the
    squared error divided, per dimension, by the variance of the windows' starting
    observations, averaged over dimensions (module docstring); nan without a whole window.

    ``pooled``: one scale for all dimensions instead, the variance summed over them, for
    pictures, whose pixels mostly never change (walls) and would divide by zero: the
    summed squared error over the summed variance. Shared by dyna-dqn's ensembles and
    dreamer's imagination (:func:`dynalab.deep.dreams.imagination_errors`)."""
    count, horizon = windows.action.shape
    weight = whole.astype(jnp.float32)
    n_whole = pairwise_sum(weight)
    flat = windows.obs[:, 0].reshape(count, -1)

    def weighted_mean(column: jax.Array) -> jax.Array:
        return pairwise_sum(column * weight) / n_whole

    centre = jax.vmap(weighted_mean, in_axes=1)(flat)
    spread = jax.vmap(weighted_mean, in_axes=1)((flat - centre) ** 2)
    spread = batch_mean(spread) + 1e-8 if pooled else spread + 1e-8
    real = windows.next_obs.reshape(count, horizon, -1)
    squared = (predicted.reshape(count, horizon, -1) - real) ** 2
    per_window = jax.vmap(jax.vmap(batch_mean))(squared / spread)
    errors = jax.vmap(lambda column: pairwise_sum(jnp.where(whole, column, 0.0)) / n_whole)(
        per_window.T
    )
    return jnp.where(n_whole > 0, errors, jnp.nan)


def rollout_errors(members: QNetwork, replay: Replay, key: jax.Array, n_actions: int) -> jax.Array:
    """The normalised open-loop error after 1..:data:`ROLLOUT_ERROR_HORIZON` steps (module
    docstring); nan where no whole window was drawn."""
    windows, whole = real_windows(replay, key, ROLLOUT_ERROR_STARTS, ROLLOUT_ERROR_HORIZON)

    def one_step(obs: jax.Array, action: jax.Array) -> tuple[jax.Array, jax.Array]:
        predicted = jax.vmap(lambda o, a: mean_next_obs(members, o, a, n_actions))(obs, action)
        return predicted, predicted

    _, predicted = jax.lax.scan(one_step, windows.obs[:, 0], windows.action.T)
    return scaled_window_errors(jnp.moveaxis(predicted, 0, 1), windows, whole)


def rank_correlation(x: jax.Array, y: jax.Array) -> jax.Array:
    """Spearman's rank correlation of two vectors (ties ranked by position)."""
    rank_x = jnp.argsort(jnp.argsort(x)).astype(jnp.float32)
    rank_y = jnp.argsort(jnp.argsort(y)).astype(jnp.float32)
    centred_x = rank_x - batch_mean(rank_x)
    centred_y = rank_y - batch_mean(rank_y)
    covariance = batch_mean(centred_x * centred_y)
    return covariance / jnp.sqrt(batch_mean(centred_x**2) * batch_mean(centred_y**2))


def disagreement_rank_correlation(
    members: QNetwork, batch: Transitions, n_actions: int
) -> jax.Array:
    """Spearman's correlation, over ``batch``, of the members' disagreement with the
    error of their mean predicted change; nan for one member.

    Both are measured on the same scale: per dimension over the batch's spread of the
    real change, averaged over dimensions (the error as
    :func:`dynalab.deep.world_model.one_step_error`; the disagreement as the members'
    variance about their mean), so that a dimension with large raw values does not rank
    the samples by itself."""
    if jax.tree.leaves(members)[0].shape[0] < 2:
        return jnp.float32(jnp.nan)
    size = batch.obs.shape[0]
    means = jax.vmap(lambda o, a: predict(members, o, a, n_actions).delta_mean)(
        batch.obs, batch.action
    )
    change = (batch.next_obs - batch.obs).reshape(size, -1)
    mean_change = jax.vmap(batch_mean, in_axes=1)(change)
    spread = jax.vmap(batch_mean, in_axes=1)((change - mean_change) ** 2) + 1e-8
    predicted = jax.vmap(member_mean)(means)
    variance = jax.vmap(lambda m, p: member_mean((m - p) ** 2))(means, predicted)
    error = jax.vmap(batch_mean)((predicted - change) ** 2 / spread)
    return rank_correlation(jax.vmap(batch_mean)(variance / spread), error)
