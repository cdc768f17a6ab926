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


def gymnax_world(env_id: str) -> World:
    """gymnax's JAX twin of Gymnasium's ``env_id`` (one of :data:`GYMNAX_TWINS`), with
    Gymnasium's time limit and solved threshold.

    The twin's physics are gymnax's (Lange 2022, https://github.com/RobertTLange/gymnax);
    ``tests/deep/test_worlds.py`` checks them against Gymnasium's env transition by
    transition. Raises ValueError for an id without a twin.
    """
    if env_id not in GYMNAX_TWINS:
        raise ValueError(f"no gymnax twin for {env_id!r}; twins: {', '.join(GYMNAX_TWINS)}")
    import gymnasium
    import gymnax

    spec = gymnasium.spec(env_id)
    env, params = gymnax.make(env_id)
    params = params.replace(max_steps_in_episode=int(spec.max_episode_steps))

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
            state.time >= params.max_steps_in_episode,
        )

    return World(
        name=env_id,
        n_actions=int(env.num_actions),
        obs_shape=tuple(env.observation_space(params).shape),
        reset=reset,
        step=step,
        max_steps=int(spec.max_episode_steps),
        solved_return=spec.reward_threshold,
    )
