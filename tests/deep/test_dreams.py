"""Dreams: the imagination's error scale checked by hand, a dreamt episode's real frames
against the maze's own pictures, and the layout of the dream strip."""

from __future__ import annotations

import numpy as np
import pytest

jax = pytest.importorskip("jax")

import jax.numpy as jnp  # noqa: E402

from dynalab.deep.agents.dreamer import dream, init_learner  # noqa: E402
from dynalab.deep.agents.dreamer_training import dreamer_config  # noqa: E402
from dynalab.deep.model_error import scaled_window_errors  # noqa: E402
from dynalab.deep.rssm import features, first_latent  # noqa: E402
from dynalab.deep.sequences import Steps  # noqa: E402
from dynalab.deep.tabular import maze_world  # noqa: E402
from dynalab.envs.builtin import dyna_maze  # noqa: E402
from dynalab.envs.pixels import frames_rgb  # noqa: E402
from dynalab.plots.dreams import GUTTER, LABEL_WIDTH, PIXELS_PER_CELL, dream_strip  # noqa: E402

TINY = dict(deter=8, groups=2, classes=4, units=16, batch=4, length=4, horizon=3, buffer=50)


def _windows(obs: np.ndarray, next_obs: np.ndarray) -> Steps:
    count, horizon = next_obs.shape[:2]
    zeros = np.zeros((count, horizon))
    return Steps(
        jnp.asarray(obs),
        jnp.asarray(zeros, jnp.int32),
        jnp.asarray(zeros, jnp.float32),
        jnp.asarray(next_obs),
        jnp.asarray(zeros, jnp.bool_),
        jnp.asarray(zeros, jnp.bool_),
    )


def test_pooled_window_errors_divide_summed_squares_by_the_summed_variance() -> None:
    """Windows of 3 steps over 4 'pixels': the error at each horizon is the mean squared
    error over whole windows and pixels, over the mean per-pixel variance of the starts;
    a broken window (index 2) counts for nothing, and a perfect prediction scores 0."""
    rng = np.random.default_rng(0)
    obs = rng.integers(0, 2, (5, 3, 4)).astype(np.float32)
    next_obs = rng.integers(0, 2, (5, 3, 4)).astype(np.float32)
    predicted = rng.random((5, 3, 4)).astype(np.float32)
    whole = np.array([True, True, False, True, True])
    windows = _windows(obs, next_obs)
    errors = np.asarray(scaled_window_errors(predicted, windows, jnp.asarray(whole), pooled=True))
    starts = obs[whole, 0]
    scale = starts.var(axis=0).mean() + 1e-8
    by_hand = ((predicted - next_obs)[whole] ** 2).mean(axis=(0, 2)) / scale
    np.testing.assert_allclose(errors, by_hand, rtol=1e-5)
    perfect = scaled_window_errors(jnp.asarray(next_obs), windows, jnp.asarray(whole), pooled=True)
    np.testing.assert_array_equal(np.asarray(perfect), 0.0)
    none = scaled_window_errors(predicted, windows, jnp.zeros(5, jnp.bool_), pooled=True)
    assert np.isnan(np.asarray(none)).all()


def test_a_dream_shows_the_real_episode_and_the_models_reconstruction_of_its_start() -> None:
    """An untrained agent's greedy episode on the pixel Dyna maze: each real frame is the
    maze's picture of the state the MDP reaches under the recorded actions (the maze is
    deterministic), and the dream starts from the decoder's picture of the first belief."""
    world = maze_world(dyna_maze(), "pixels")
    config = dreamer_config(**TINY)
    nets = init_learner(jax.random.key(3), world, config).nets
    seen = dream(world, nets, jax.random.key(4), config, steps=12)
    assert seen.real.shape == seen.imagined.shape == (13, *world.obs_shape)
    mdp, frames = world.mdp, np.asarray(world.observations)
    state = int(np.flatnonzero(mdp.start_prob)[0])
    np.testing.assert_array_equal(seen.real[0], frames[state])
    for t, action in enumerate(np.asarray(seen.actions)):
        state = int(mdp.next_state[state, action, 0])
        np.testing.assert_array_equal(seen.real[t + 1], frames[state], err_msg=f"step {t}")
    assert np.asarray(seen.alive).all(), "an untrained agent does not reach the goal in 12"
    belief = first_latent(nets.model, jnp.ravel(seen.real[0]), config.rssm)
    reconstruction = nets.model.decoder(features(belief)).reshape(world.obs_shape)
    np.testing.assert_allclose(seen.imagined[0], reconstruction, rtol=1e-5, atol=1e-6)


def test_the_dream_strip_puts_real_frames_above_imagined_ones() -> None:
    real = np.zeros((3, 2, 3, 5), np.float32)
    real[:, 0, 0, 1] = 1.0  # the agent (blue) in the corner
    imagined = np.zeros_like(real)
    strip = np.asarray(dream_strip(frames_rgb(real), frames_rgb(imagined)))
    cell = PIXELS_PER_CELL
    assert strip.shape == (14 + 2 * (2 * cell + GUTTER), LABEL_WIDTH + 3 * (3 * cell + GUTTER), 3)
    blue = frames_rgb(real)[0, 0, 0]
    for t in range(3):
        x = LABEL_WIDTH + t * (3 * cell + GUTTER)
        np.testing.assert_array_equal(strip[14 + cell // 2, x + cell // 2], blue)
        below = 14 + 2 * cell + GUTTER + cell // 2
        np.testing.assert_array_equal(strip[below, x + cell // 2], [255, 255, 255])
