"""Worlds for the JAX backend: pure functions over pytrees, and gymnax's classic-control twins.

A :class:`World` is two pure functions and a few static facts::

    reset(key) -> (obs, state)
    step(key, state, action) -> (obs, state, reward, terminated, truncated)

``state`` is any pytree of arrays; ``step`` is only called on a live state (the episode
has not ended) and never resets by itself: :func:`advance` does the resetting, so the
training loop sees the observation a transition reached (to bootstrap from) and the one
the agent acts from next (a fresh episode's after the end). ``terminated`` is the MDP's
end (no bootstrapping); ``truncated`` is the time limit, as Gymnasium's ``TimeLimit``
reports it: true once the episode has taken ``max_steps`` steps, whether or not it also
terminated.

:func:`gymnax_world` wraps gymnax's JAX twin of a Gymnasium classic-control env with
Gymnasium's own time limit and solved threshold (its registry's ``max_episode_steps`` and
``reward_threshold``); a test steps both from the same states and finds the same numbers.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from dynalab.envs.mdp import ArrayMDP

Step = tuple[jax.Array, Any, jax.Array, jax.Array, jax.Array]
"""What a world's ``step`` returns: ``(obs, state, reward, terminated, truncated)``."""

GYMNAX_TWINS = ("CartPole-v1", "Acrobot-v1", "MountainCar-v0")
"""Gymnasium ids whose gymnax twin runs compiled end to end."""

DEFAULT_EVAL_STEPS = 1000
"""The longest evaluation episode on a world without a time limit (a greedy policy can
walk in circles forever)."""


@dataclass(frozen=True, eq=False)
class World:
    """A world as pure functions (see the module docstring) plus its static facts.

    ``n_actions`` discrete actions; observations of shape ``obs_shape`` (float32);
    ``max_steps`` the time limit (0: none); ``solved_return`` the undiscounted return at
    which the world counts as solved (Gymnasium's ``reward_threshold``; None where there
    is none). Where the world is a table (:mod:`dynalab.deep.tabular`), ``mdp`` is its
    exact truth and ``observations[s]`` the observation of state ``s``, so that a network's
    Q of every state can be read off and its greedy policy evaluated exactly.

    Worlds compare and hash by identity: a compiled training run is cached per world.
    """

    name: str
    n_actions: int
    obs_shape: tuple[int, ...]
    reset: Callable[[jax.Array], tuple[jax.Array, Any]]
    step: Callable[[jax.Array, Any, jax.Array], Step]
    max_steps: int = 0
    solved_return: float | None = None
    mdp: ArrayMDP | None = None
    observations: np.ndarray | None = None

    @property
    def eval_steps(self) -> int:
        """The step cap of an evaluation episode: the time limit, else a default."""
        return self.max_steps if self.max_steps > 0 else DEFAULT_EVAL_STEPS


class Moved(NamedTuple):
    """One transition, the world reset where the episode ended.

    ``next_obs`` is what the transition reached (bootstrap from it unless
    ``terminated``); ``obs`` and ``state`` are where the agent acts next: ``next_obs``
    and its state, or a fresh episode's first observation and state after the end.
    """

    next_obs: jax.Array
    reward: jax.Array
    terminated: jax.Array
    truncated: jax.Array
    obs: jax.Array
    state: Any


def advance(world: World, key: jax.Array, state: Any, action: jax.Array) -> Moved:
    """Step ``world`` from a live ``state``; where the episode ends, reset it."""
    step_key, reset_key = jax.random.split(key)
    next_obs, next_state, reward, terminated, truncated = world.step(step_key, state, action)
    reset_obs, reset_state = world.reset(reset_key)
    done = jnp.logical_or(terminated, truncated)
    state = jax.tree.map(
        lambda fresh, going: jnp.where(done, fresh, going), reset_state, next_state
    )
    obs = jnp.where(done, reset_obs, next_obs)
    return Moved(next_obs, reward, terminated, truncated, obs, state)


def strong(tree: Any) -> Any:
    """Every leaf as an array of its own dtype without JAX's weak typing, so that a state
    keeps one type through ``lax.scan`` (gymnax starts some clocks as Python ints)."""
    return jax.tree.map(lambda leaf: jnp.asarray(leaf, jnp.asarray(leaf).dtype), tree)


@functools.lru_cache(maxsize=16)
def gymnax_world(env_id: str) -> World:
    """gymnax's JAX env ``env_id``: for a twin of Gymnasium's (:data:`GYMNAX_TWINS`) with
    Gymnasium's time limit and solved threshold; for any other gymnax env with discrete
    actions (MinAtar's ``Breakout-MinAtar`` and friends, Young & Tian 2019) with gymnax's
    own time limit and no solved threshold.

    The twins' physics are gymnax's (Lange 2022, https://github.com/RobertTLange/gymnax);
    ``tests/deep/test_worlds.py`` checks them against Gymnasium's env transition by
    transition. Raises ValueError for an id gymnax does not know or whose actions are not
    discrete. One world per id, as :func:`dynalab.deep.tabular.maze_world` keeps one per
    maze, so that its compiled runs are reused.
    """
    import gymnasium
    import gymnax

    if env_id not in gymnax.registered_envs:
        raise ValueError(f"gymnax has no env {env_id!r}")
    env, params = gymnax.make(env_id)
    if not hasattr(env.action_space(params), "n"):
        raise ValueError(f"gymnax env {env_id!r} has no discrete actions")
    if env_id in GYMNAX_TWINS:
        spec = gymnasium.spec(env_id)
        max_steps, solved = int(spec.max_episode_steps), spec.reward_threshold
        params = params.replace(max_steps_in_episode=max_steps)
    else:
        max_steps, solved = int(params.max_steps_in_episode), None

    def reset(key: jax.Array) -> tuple[jax.Array, Any]:
        obs, state = env.reset_env(key, params)
        return obs.astype(jnp.float32), strong(state)

    def step(key: jax.Array, state: Any, action: jax.Array) -> Step:
        obs, state, reward, terminated, _ = env.step_env(key, state, action, params)
        state = strong(state)
        return (
            obs.astype(jnp.float32),
            state,
            jnp.asarray(reward, jnp.float32),
            jnp.asarray(terminated, jnp.bool_),
            state.time >= max_steps,
        )

    return World(
        name=env_id,
        n_actions=int(env.num_actions),
        obs_shape=tuple(env.observation_space(params).shape),
        reset=reset,
        step=step,
        max_steps=max_steps,
        solved_return=solved,
    )
