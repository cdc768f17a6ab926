"""A JAX view of any dynalab array MDP, so the neural agents run where the exact truth is known.

The world samples the MDP's outcome tables (``dynalab.envs.mdp.ArrayMDP``) exactly as the
tabular lab does: the first state from ``start_prob``, outcome ``k`` of ``(s, a)`` with
probability ``prob[s, a, k]``, then ``next_state``, ``reward`` and ``terminal`` of that
outcome; the time limit ``max_steps`` truncates. The agent does not see the state index
but an observation of it, a row of a table (:mod:`dynalab.envs.views`: one-hot cells,
a maze's coordinates or its pictures).

Tables live in the compiled program as constants: meant for worlds of up to some
thousands of states.
"""

from __future__ import annotations

import functools
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from dynalab.deep.worlds import Step, World
from dynalab.envs.maze import Maze
from dynalab.envs.mdp import ArrayMDP
from dynalab.envs.views import maze_observations, one_hot_observations


class CellState(NamedTuple):
    """A tabular world's state: the MDP state index and the steps taken this episode."""

    index: jax.Array
    time: jax.Array


def _log(probabilities: np.ndarray) -> jax.Array:
    with np.errstate(divide="ignore"):
        return jnp.asarray(np.log(probabilities), jnp.float32)


def array_mdp_world(mdp: ArrayMDP, table: np.ndarray | None = None) -> World:
    """The JAX world that samples ``mdp`` and shows ``table[s]`` of state ``s`` (one-hot
    cells by default)."""
    if table is None:
        table = one_hot_observations(mdp.n_states)
    if len(table) != mdp.n_states:
        raise ValueError(f"need one observation per state ({mdp.n_states}), got {len(table)}")
    observations = jnp.asarray(table)
    log_start = _log(mdp.start_prob)
    log_prob = _log(mdp.prob)
    next_state = jnp.asarray(mdp.next_state, jnp.int32)
    reward = jnp.asarray(mdp.reward, jnp.float32)
    terminal = jnp.asarray(mdp.terminal)
    max_steps = int(mdp.max_steps)

    def reset(key: jax.Array) -> tuple[jax.Array, CellState]:
        index = jax.random.categorical(key, log_start).astype(jnp.int32)
        return observations[index], CellState(index, jnp.int32(0))

    def step(key: jax.Array, state: CellState, action: jax.Array) -> Step:
        s = state.index
        k = jax.random.categorical(key, log_prob[s, action])
        reached = next_state[s, action, k]
        time = state.time + 1
        truncated = jnp.logical_and(max_steps > 0, time >= max_steps)
        moved = CellState(reached, time)
        return observations[reached], moved, reward[s, action, k], terminal[s, action, k], truncated

    return World(
        name=mdp.name,
        n_actions=mdp.n_actions,
        obs_shape=table.shape[1:],
        reset=reset,
        step=step,
        max_steps=max_steps,
        mdp=mdp,
        observations=table,
    )


@functools.lru_cache(maxsize=16)
def maze_world(maze: Maze, observation: str = "one-hot", upscale: int = 1) -> World:
    """The JAX world of a dynalab maze, its cells shown as ``observation`` (one of
    :data:`dynalab.envs.views.OBSERVATIONS`; ``upscale`` pixels per cell side).

    One world per maze (mazes compare by content) and view: worlds compare by identity,
    and a compiled training run is kept per world (:func:`dynalab.deep.runs.compiled_runs`),
    so a second comparison on the same maze in one process reuses the first one's
    program instead of tracing and compiling it again."""
    return array_mdp_world(maze.to_mdp(), maze_observations(maze, observation, upscale))
