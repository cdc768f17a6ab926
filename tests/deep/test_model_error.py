"""The model-error measures of evals.csv, against direct NumPy computations."""

from __future__ import annotations

import numpy as np
import pytest

jax = pytest.importorskip("jax")
import jax.numpy as jnp  # noqa: E402
from scipy.stats import spearmanr  # noqa: E402

from dynalab.deep.model_error import (  # noqa: E402
    ROLLOUT_ERROR_HORIZON,
    disagreement_rank_correlation,
    rank_correlation,
    real_windows,
    rollout_errors,
)
from dynalab.deep.replay import Transitions, replay_add, replay_init  # noqa: E402
from dynalab.deep.world_model import ModelConfig, init_members  # noqa: E402
from dynalab.runfolder import ROLLOUT_ERROR_COLUMNS  # noqa: E402


def _walk_replay(steps: int, capacity: int, episode: int, seed: int = 0):
    """A replay of a random walk in 2-D (steps of N(0.3, 1)), restarting at the origin
    every ``episode`` steps (the last step of each episode terminates)."""
    rng = np.random.default_rng(seed)
    replay = replay_init(capacity, (2,))
    obs = np.zeros(2, np.float32)
    for t in range(steps):
        next_obs = (obs + rng.normal(0.3, 1.0, 2)).astype(np.float32)
        ends = (t + 1) % episode == 0
        replay = replay_add(replay, Transitions(obs, np.int32(t), 0.0, next_obs, ends))
        obs = np.zeros(2, np.float32) if ends else next_obs
    return replay


def test_the_rollout_error_horizons_fill_the_run_folder_columns() -> None:
    assert ROLLOUT_ERROR_HORIZON == ROLLOUT_ERROR_COLUMNS


def test_rank_correlation_is_spearmans() -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=64)
    y = x + rng.normal(size=64)
    assert float(rank_correlation(jnp.asarray(x), jnp.asarray(y))) == pytest.approx(
        spearmanr(x, y).statistic, abs=1e-6
    )
    assert float(rank_correlation(jnp.asarray(x), jnp.asarray(x**3))) == pytest.approx(1.0)
    assert float(rank_correlation(jnp.asarray(x), jnp.asarray(-x))) == pytest.approx(-1.0)


def test_windows_are_whole_only_inside_one_episode_and_follow_a_wrapped_ring() -> None:
    """The action stored is the step's number, so a window's actions say which steps it
    holds: the ring keeps steps 30..129, and a window starting at step t is whole when
    t..t+3 lie in one episode (episodes are steps 20e..20e+19)."""
    replay = _walk_replay(steps=130, capacity=100, episode=20)
    windows, whole = real_windows(replay, jax.random.key(0), 400, 4)
    steps = np.asarray(windows.action)
    assert np.all(np.diff(steps, axis=1) == 1)  # consecutive in time across the wrap
    assert steps.min() == 30 and steps.max() == 129 and len(set(steps[:, 0])) > 50
    expected = steps[:, 0] // 20 == steps[:, -1] // 20
    assert np.array_equal(np.asarray(whole), expected)


def test_a_model_that_predicts_no_change_scores_the_walks_drift_over_the_state_spread() -> None:
    """Members with zero weights predict no change, so after h steps their error is, per
    dimension, the mean of (x_h - x_0)^2 over the windows divided by the variance of
    x_0: computed here with NumPy from the same windows."""
    replay = _walk_replay(steps=600, capacity=1000, episode=50)
    members = init_members(jax.random.key(0), 2, 2, ModelConfig(members=2, hidden=(8,)))
    members = jax.tree.map(jnp.zeros_like, members)
    key = jax.random.key(3)
    errors = np.asarray(rollout_errors(members, replay, key, 2))
    windows, whole = real_windows(replay, key, 256, ROLLOUT_ERROR_HORIZON)
    whole = np.asarray(whole)
    first = np.asarray(windows.obs)[whole][:, 0]
    change = np.asarray(windows.next_obs)[whole] - first[:, None]
    expected = (change**2 / first.var(axis=0)).mean(axis=(0, 2))
    np.testing.assert_allclose(errors, expected, rtol=1e-4)
    assert np.all(np.diff(errors) > 0)  # a random walk drifts further at every step


def test_disagreement_rank_is_nan_for_one_member_and_in_range_for_several() -> None:
    replay = _walk_replay(steps=300, capacity=300, episode=50)
    batch = jax.tree.map(lambda stored: stored[:128], replay.data)
    one = init_members(jax.random.key(0), 2, 2, ModelConfig(members=1, hidden=(8,)))
    assert np.isnan(float(disagreement_rank_correlation(one, batch, 2)))
    five = init_members(jax.random.key(0), 2, 2, ModelConfig(members=5, hidden=(8,)))
    rank = float(disagreement_rank_correlation(five, batch, 2))
    assert -1.0 <= rank <= 1.0
