"""The tabular agents measured as the jax agents are, so that both run in one comparison.

A jax comparison evaluates its runs at fixed real steps (0, E, 2E, ..., T). A tabular
agent (``dyna-q`` and the rest) learns on the table underneath the same world: it sees
the state's index where ``dqn`` and ``dreamer`` see its one-hot cell or its picture, the
question being what learning the world from pixels costs over being handed its table.
Its compiled run loop records its Q table before those very steps
(``frame_every``, :mod:`dynalab.run.frames`); each recorded table is then measured by
the jax agents' own evaluation (:func:`dynalab.deep.evaluation.evaluate`: greedy
episodes, ties to the lowest action, capped as theirs are, on the JAX world of the same
MDP) and, from its recorded ``q_table``, by the same exact ground truth
(:func:`dynalab.deep.runs.exact_greedy_values`).
Run ``i`` draws from the same seed sequence as run ``i`` of ``dynalab compare`` with
tabular agents alone (:func:`dynalab.run.seeds.run_seeds`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from dynalab.agents.config import AgentConfig
from dynalab.envs.mdp import ArrayMDP, as_schedule
from dynalab.run.runner import run_single
from dynalab.run.seeds import run_seeds

if TYPE_CHECKING:  # dynalab.deep needs the deep extra; the tabular lab imports this module
    from dynalab.deep.budget import Budget


def tabular_runs(
    mdp: ArrayMDP, agent: AgentConfig, budget: Budget, *, runs: int, seed: int
) -> dict[str, np.ndarray]:
    """The metrics of ``runs`` runs of a tabular ``agent`` on ``mdp`` for
    ``budget.steps`` real steps, evaluated as a jax agent is at ``budget.eval_steps``,
    each of shape ``(runs, points)`` like a jax agent's: ``env_step``, ``eval_return``,
    ``eval_discounted_return``, ``believed_value``, ``train_return`` (the mean return
    of the episodes that ended since the previous point; nan where none did) and
    ``q_table`` (shape ``(runs, points, states, actions)``)."""
    arrays = as_schedule(mdp).stacked()
    steps, eval_every = budget.steps, budget.eval_every
    points = len(budget.eval_steps)
    tables, step_points, train_returns = [], [], []
    for run_seed in run_seeds(seed, runs):
        log, _, _ = run_single(
            arrays, agent, run_seed, 0, steps, frame_every=eval_every, n_frames=points
        )
        recorded = int(log.totals[4])
        if recorded != points:
            raise RuntimeError(f"the run recorded {recorded} Q tables, not {points}")
        tables.append(log.frames_q)
        step_points.append(log.frames_info[:, 0])
        train_returns.append(_train_returns(log, log.frames_info[:, 0]))
    q_tables = np.stack(tables)
    metrics = {
        "env_step": np.stack(step_points),
        "train_return": np.stack(train_returns),
        "q_table": q_tables,
    }
    metrics.update(greedy_evaluations(mdp, q_tables, budget.eval_episodes, agent.gamma, seed))
    return metrics


def _train_returns(log: object, step_points: np.ndarray) -> np.ndarray:
    """Per evaluation point, the mean return of the training episodes that ended after
    the previous point and at or before this one (nan where none did)."""
    episodes = int(log.totals[0])
    ends = log.real_steps[:episodes]
    returns = log.episode_return[:episodes]
    means = np.full(len(step_points), np.nan)
    for point in range(1, len(step_points)):
        ended = (ends > step_points[point - 1]) & (ends <= step_points[point])
        if ended.any():
            means[point] = returns[ended].mean()
    return means


def greedy_evaluations(
    mdp: ArrayMDP, q_tables: np.ndarray, episodes: int, gamma: float, seed: int
) -> dict[str, np.ndarray]:
    """The jax agents' greedy evaluation (:func:`dynalab.deep.evaluation.evaluate`) of
    every Q table of ``q_tables`` (shape ``(runs, points, states, actions)``) on the
    one-hot JAX world of ``mdp``: ``eval_return``, ``eval_discounted_return`` and
    ``believed_value``, each ``(runs, points)``. Table ``(run, point)`` plays its
    episodes with a key of its own, fixed by ``(seed, run, point)``."""
    import jax
    import jax.numpy as jnp

    from dynalab.deep.evaluation import evaluate, q_policy
    from dynalab.deep.tabular import array_mdp_world

    world = array_mdp_world(mdp)
    runs, points = q_tables.shape[:2]
    root = jax.random.key(seed)
    keys = jnp.stack(
        [
            jax.random.fold_in(jax.random.fold_in(root, run), point)
            for run in range(runs)
            for point in range(points)
        ]
    )

    def one_table(table: jax.Array, key: jax.Array) -> tuple[jax.Array, ...]:
        policy = q_policy(lambda obs: obs @ table)
        return tuple(evaluate(world, policy, key, episodes, gamma))

    flat = jnp.asarray(q_tables.reshape(runs * points, *q_tables.shape[2:]), jnp.float32)
    total, discounted, believed = jax.jit(jax.vmap(one_table))(flat, keys)
    shaped = {
        "eval_return": total,
        "eval_discounted_return": discounted,
        "believed_value": believed,
    }
    return {name: np.asarray(value).reshape(runs, points) for name, value in shaped.items()}
