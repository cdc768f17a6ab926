"""How wrong a latent world model's imagination is: open-loop dreams against the real world.

Dreamer learns its behaviour only in imagination (Hafner et al. 2020, 2023), so what it
learns is only as good as what it imagines. Two views of the same test, both open loop:
the model sees one real observation, then imagines the steps that follow under the
actions actually taken, never seeing another frame, and its decoder shows what it
imagines.

* :func:`imagination_errors`: from real windows of the replay, the decoded imagination's
  error after 1..``ROLLOUT_ERROR_HORIZON`` steps, on the scale dyna-dqn's ensembles are
  measured on (:func:`dynalab.deep.model_error.scaled_window_errors`), pooled over the
  pixels (most never change): 1 is as far off as two typical states are from each
  other. Imagination
  draws from the prior, as it does when the actor learns.
* :func:`dream_episode`: a real greedy episode and the model's dream of it, frame by
  frame (the prior's most likely latent at each step), for pictures
  (:mod:`dynalab.plots.dreams`).
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp

from dynalab.deep.evaluation import GreedyPolicy
from dynalab.deep.model_error import (
    ROLLOUT_ERROR_HORIZON,
    ROLLOUT_ERROR_STARTS,
    real_windows,
    scaled_window_errors,
)
from dynalab.deep.replay import Replay
from dynalab.deep.rssm import RSSMConfig, WorldModel, features, first_latent, imagine_step
from dynalab.deep.worlds import World

DREAM_STEPS = 20
"""Real steps of the episode :func:`dream_episode` dreams (the Dyna maze's shortest path
is 14)."""


def imagine_decoded(
    model: WorldModel,
    first_obs: jax.Array,
    actions: jax.Array,
    n_actions: int,
    config: RSSMConfig,
    key: jax.Array | None = None,
) -> jax.Array:
    """The decoded pictures of an open-loop dream: the model's belief about ``first_obs``
    (its posterior's mode, zero recurrent state), then one imagined step per action
    (prior draws; the prior's mode without a ``key``). Shape ``(len(actions) + 1,
    first_obs.size)``: the reconstruction of ``first_obs``, then the imagined frames."""
    latent = first_latent(model, jnp.ravel(first_obs), config)
    steps = actions.shape[0]
    keys = None if key is None else jax.random.split(key, steps)

    def one(latent, inputs):
        action, step_key = inputs
        latent = imagine_step(model, latent, action, step_key, n_actions, config)
        return latent, model.decoder(features(latent))

    _, imagined = jax.lax.scan(one, latent, (actions, keys))
    return jnp.concatenate([model.decoder(features(latent))[None], imagined])


def imagination_errors(
    model: WorldModel, replay: Replay, key: jax.Array, n_actions: int, config: RSSMConfig
) -> jax.Array:
    """The normalised open-loop error of the decoded imagination after
    1..:data:`ROLLOUT_ERROR_HORIZON` steps from real observations (module docstring); nan
    while the replay holds no whole window."""
    window_key, dream_key = jax.random.split(key)
    windows, whole = real_windows(replay, window_key, ROLLOUT_ERROR_STARTS, ROLLOUT_ERROR_HORIZON)
    keys = jax.random.split(dream_key, ROLLOUT_ERROR_STARTS)
    decoded = jax.vmap(
        lambda obs, actions, k: imagine_decoded(model, obs, actions, n_actions, config, k)
    )(windows.obs[:, 0], windows.action, keys)
    return scaled_window_errors(decoded[:, 1:], windows, whole, pooled=True)


def _unless(done: jax.Array, old, new):
    """``old`` where the episode is ``done`` (it stays as it ended), else ``new``."""
    return jax.tree.map(lambda a, b: jnp.where(done, a, b), old, new)


class Dream(NamedTuple):
    """A real episode and the model's dream of it: ``real[t]`` the observation after ``t``
    real steps, ``imagined[t]`` the decoded dream of it (``t = 0`` the reconstruction of
    the first), ``actions[t]`` the action taken at step ``t`` and ``alive[t]`` whether
    frame ``t`` is part of the episode (frames after its end repeat the last one)."""

    real: jax.Array
    imagined: jax.Array
    actions: jax.Array
    alive: jax.Array


def dream_episode(
    world: World,
    policy: GreedyPolicy,
    model: WorldModel,
    config: RSSMConfig,
    key: jax.Array,
    steps: int = DREAM_STEPS,
) -> Dream:
    """Play ``policy`` greedily for up to ``steps`` real steps and dream the same actions
    open loop from the first observation (the prior's most likely latents)."""
    reset_key, step_key = jax.random.split(key)
    obs, state = world.reset(reset_key)
    memory, _ = policy.start(obs)

    def one(carry, t):
        memory, state, obs, done = carry
        action = policy.act(memory)
        moved_obs, moved_state, _, terminated, truncated = world.step(
            jax.random.fold_in(step_key, t), state, action
        )
        memory = _unless(done, memory, policy.remember(memory, action, moved_obs))
        state, obs = _unless(done, state, moved_state), _unless(done, obs, moved_obs)
        ended = jnp.logical_or(done, jnp.logical_or(terminated, truncated))
        return (memory, state, obs, ended), (obs, action, ~done)

    _, (frames, actions, alive) = jax.lax.scan(
        one, (memory, state, obs, jnp.bool_(False)), jnp.arange(steps)
    )
    real = jnp.concatenate([obs[None], frames])
    imagined = imagine_decoded(model, obs, actions, world.n_actions, config)
    return Dream(
        real=real,
        imagined=imagined.reshape(real.shape),
        actions=actions,
        alive=jnp.concatenate([jnp.ones(1, jnp.bool_), alive]),
    )
