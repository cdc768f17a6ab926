"""What a DQN run records between and at its evaluation points, on either loop.

Each env step contributes a :class:`Period` entry, summed as running totals in step
order (:mod:`dynalab.deep.numerics`); at an evaluation point :func:`period_record` turns
the totals into means, and :func:`model_record` measures dyna-dqn's model on the real
replay (:mod:`dynalab.deep.model_error`). The compiled loop
(:func:`dynalab.deep.agents.dqn.train`) and the step-by-step one
(:mod:`dynalab.deep.gym_loop`) record through these same functions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp

from dynalab.deep.agents.dyna_dqn import DynaConfig, Rollouts, no_rollouts
from dynalab.deep.budget import Budget
from dynalab.deep.model_error import disagreement_rank_correlation, rollout_errors
from dynalab.deep.replay import Replay
from dynalab.deep.world_model import ModelState, held_out_batch, one_step_error


class Period(NamedTuple):
    """One step's contribution to its evaluation period's totals: its TD loss, gradient
    updates, ended episodes and their returns, and its rollouts."""

    loss: jax.Array
    updates: jax.Array
    episodes: jax.Array
    returns: jax.Array
    rollouts: Rollouts


def zero_period() -> Period:
    """Totals before the first step of a period."""
    return Period(jnp.float32(0.0), jnp.int32(0), jnp.int32(0), jnp.float32(0.0), no_rollouts())


def period_record(sums: Period, has_model: bool) -> dict:
    """A period's totals as its record: the mean ``loss`` per update, the mean
    ``train_return`` of the episodes that ended (both nan where there were none),
    ``train_episodes`` ended, and with a model the rollouts' ``simulated`` transitions
    stored, the ``cut_share`` truncation cut and their mean ``disagreement``."""
    record = {
        "loss": sums.loss / jnp.where(sums.updates > 0, sums.updates, jnp.nan),
        "train_return": sums.returns / jnp.where(sums.episodes > 0, sums.episodes, jnp.nan),
        "train_episodes": sums.episodes,
    }
    if has_model:
        totals = sums.rollouts
        tried = totals.stored + totals.cut
        record["simulated"] = totals.stored
        record["cut_share"] = totals.cut / jnp.where(tried > 0, tried, jnp.nan)
        record["disagreement"] = totals.disagreement / jnp.where(
            totals.stored > 0, totals.stored, jnp.nan
        )
    return record


def model_record(
    model: ModelState, replay: Replay, key: jax.Array, n_actions: int, config: DynaConfig
) -> dict:
    """The model measured on the real replay at an evaluation point (nan while it is
    empty): ``model_error`` and ``disagreement_rank`` on held-out transitions,
    ``rollout_error`` after 1..10 open-loop steps."""
    held = held_out_batch(replay, jax.random.fold_in(key, 1), config.model.held_out)
    stored = replay.size > 0
    error = one_step_error(model.members, held, n_actions)
    rank = disagreement_rank_correlation(model.members, held, n_actions)
    return {
        "model_error": jnp.where(stored, error, jnp.nan),
        "disagreement_rank": jnp.where(stored, rank, jnp.nan),
        "rollout_error": rollout_errors(
            model.members, replay, jax.random.fold_in(key, 2), n_actions
        ),
    }


def run_periods(
    learner: Any,
    env_step: Callable[[Any, jax.Array, jax.Array], tuple[Any, Period]],
    record: Callable[[Any, jax.Array], dict],
    budget: Budget,
    loop_key: jax.Array,
    eval_key: jax.Array,
    has_model: bool = False,
) -> tuple[Any, dict]:
    """A whole compiled run: ``lax.scan`` over evaluation periods, each a ``lax.scan``
    over env steps (``env_step(learner, step, fold_in(loop_key, step))``), and a record
    at each evaluation point, the start included (``record(learner, fold_in(eval_key,
    point))`` merged with :func:`period_record`). Returns the final learner and the
    records stacked, one entry per point."""

    def one_step(carry: tuple[Any, Period], step: jax.Array) -> tuple:
        learner, sums = carry
        learner, period = env_step(learner, step, jax.random.fold_in(loop_key, step))
        return (learner, jax.tree.map(jnp.add, sums, period)), None

    def one_period(learner: Any, period: jax.Array) -> tuple[Any, dict]:
        steps = period * budget.eval_every + jnp.arange(budget.eval_every)
        (learner, sums), _ = jax.lax.scan(one_step, (learner, zero_period()), steps)
        point = record(learner, jax.random.fold_in(eval_key, period + 1))
        return learner, point | period_record(sums, has_model)

    first = record(learner, jax.random.fold_in(eval_key, 0))
    first |= period_record(zero_period(), has_model)
    learner, records = jax.lax.scan(one_period, learner, jnp.arange(budget.periods))
    stacked = jax.tree.map(lambda head, rest: jnp.concatenate([head[None], rest]), first, records)
    return learner, stacked
