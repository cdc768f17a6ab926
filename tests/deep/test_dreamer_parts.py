"""Dreamer's parts by hand: sequence replay, latent sampling and KL, lambda-returns, weights."""

from __future__ import annotations

import numpy as np
import pytest

jax = pytest.importorskip("jax")
import jax.numpy as jnp  # noqa: E402

from dynalab.deep.imagination import lambda_returns, return_range, step_weights  # noqa: E402
from dynalab.deep.numerics import log_softmax, mean_all, sum_last  # noqa: E402
from dynalab.deep.replay import replay_add  # noqa: E402
from dynalab.deep.rssm import (  # noqa: E402
    RSSMConfig,
    WorldModel,
    kl_divergence,
    log_probs,
    mode_stoch,
    observe_sequence,
    sample_stoch,
    symexp,
    symlog,
)
from dynalab.deep.sequences import Steps, sample_sequences, sequence_replay_init  # noqa: E402

SMALL = RSSMConfig(deter=8, groups=3, classes=4, hidden=16, embed=8)


def _step(index: int, first: bool = False) -> Steps:
    obs = jnp.full((2,), float(index))
    return Steps(obs, jnp.int32(index % 3), jnp.float32(index), obs + 1, jnp.bool_(False), first)


def test_sequences_are_consecutive_and_never_cross_the_write_position() -> None:
    """A buffer of 10 that has seen 23 steps holds steps 13..22; every window of 4 is 4
    consecutive steps among them, so it never joins step 22 to step 13."""
    replay = sequence_replay_init(10, (2,))
    for index in range(23):
        replay = replay_add(replay, _step(index))
    windows = sample_sequences(replay, jax.random.key(0), 200, 4)
    starts = np.asarray(windows.reward[:, 0])
    np.testing.assert_array_equal(
        np.asarray(windows.reward), starts[:, None] + np.arange(4)[None, :]
    )
    assert starts.min() == 13 and starts.max() == 19
    np.testing.assert_array_equal(np.asarray(windows.obs[..., 0]), np.asarray(windows.reward))


def test_the_pairwise_helpers_agree_with_numpy() -> None:
    x = jax.random.normal(jax.random.key(1), (3, 5, 7))
    np.testing.assert_allclose(sum_last(x), np.asarray(x).sum(-1), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(mean_all(x), np.asarray(x).mean(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(log_softmax(x), jax.nn.log_softmax(x), rtol=1e-5, atol=1e-6)


def test_a_latent_draw_is_one_hot_per_group_and_the_mix_keeps_every_class_possible() -> None:
    logits = jnp.array([50.0, -50.0, -50.0, -50.0] * SMALL.groups)
    probs = np.exp(np.asarray(log_probs(logits, SMALL)))
    np.testing.assert_allclose(probs.sum(-1), 1.0, rtol=1e-6)
    assert probs.min() >= SMALL.unimix / SMALL.classes * 0.999
    draw = np.asarray(sample_stoch(jax.random.key(2), logits, SMALL)).reshape(SMALL.groups, -1)
    np.testing.assert_allclose(draw.sum(-1), 1.0, atol=1e-6)
    assert set(np.round(draw, 5).ravel()) <= {0.0, 1.0}
    np.testing.assert_array_equal(mode_stoch(logits, SMALL).reshape(SMALL.groups, -1)[:, 0], 1.0)


def test_kl_is_zero_between_equal_latents_and_matches_its_definition() -> None:
    p = jax.random.normal(jax.random.key(3), (SMALL.stoch,))
    q = jax.random.normal(jax.random.key(4), (SMALL.stoch,))
    assert abs(float(kl_divergence(p, p, SMALL))) < 1e-6
    logp, logq = np.asarray(log_probs(p, SMALL)), np.asarray(log_probs(q, SMALL))
    expected = (np.exp(logp) * (logp - logq)).sum()
    np.testing.assert_allclose(kl_divergence(p, q, SMALL), expected, rtol=1e-5)
    assert float(kl_divergence(p, q, SMALL)) > 0


def test_symexp_inverts_symlog() -> None:
    x = jnp.array([-100.0, -1.0, 0.0, 0.5, 30.0])
    np.testing.assert_allclose(symexp(symlog(x)), x, rtol=1e-5)


def test_lambda_returns_by_hand() -> None:
    """R_t = r + gamma c ((1 - lam) v_{t+1} + lam R_{t+1}), R_H = v_H, for H = 3."""
    rewards, conts = jnp.array([1.0, 0.0, 2.0]), jnp.array([1.0, 0.5, 1.0])
    values = jnp.array([9.0, 4.0, 3.0, 10.0])
    gamma, lam = 0.9, 0.8
    r2 = 2.0 + gamma * 1.0 * (0.2 * 10.0 + 0.8 * 10.0)
    r1 = 0.0 + gamma * 0.5 * (0.2 * 3.0 + 0.8 * r2)
    r0 = 1.0 + gamma * 1.0 * (0.2 * 4.0 + 0.8 * r1)
    got = lambda_returns(rewards, conts, values, gamma, lam)
    np.testing.assert_allclose(got, [r0, r1, r2], rtol=1e-6)
    np.testing.assert_allclose(step_weights(conts, gamma), [1.0, 0.9, 0.9 * 0.45], rtol=1e-6)
    assert float(return_range(jnp.arange(101.0))) == pytest.approx(90.0)


def test_observing_a_sequence_scores_it_and_its_gradient_is_finite() -> None:
    model = WorldModel(jax.random.key(5), 2, 3, SMALL)
    steps = jax.tree.map(lambda *leaves: jnp.stack(leaves), *[_step(i, i == 2) for i in range(5)])
    observed = observe_sequence(model, steps, jax.random.key(6), 3, SMALL)
    assert observed.latents.deter.shape == (5, SMALL.deter)
    assert observed.latents.stoch.shape == (5, SMALL.stoch)
    free = (SMALL.dyn_scale + SMALL.rep_scale) * SMALL.free_nats
    assert float(observed.kl) >= free - 1e-6, "free bits floor the KL term"
    assert float(observed.loss) > float(observed.reconstruction)
    grads = jax.grad(lambda m: observe_sequence(m, steps, jax.random.key(6), 3, SMALL).loss)(model)
    leaves = jax.tree.leaves(grads)
    assert all(np.isfinite(np.asarray(leaf)).all() for leaf in leaves)
    assert any(np.abs(np.asarray(leaf)).max() > 0 for leaf in leaves)


def test_layer_norm_matches_its_definition_and_zero_head_predicts_zero() -> None:
    from dynalab.deep.networks import NormMLP, layer_norm, zero_head

    x = jax.random.normal(jax.random.key(7), (4, 9)) * 3 + 1
    a = np.asarray(x)
    expected = (a - a.mean(-1, keepdims=True)) / np.sqrt(a.var(-1, keepdims=True) + 1e-3)
    np.testing.assert_allclose(layer_norm(x), expected, rtol=1e-4, atol=1e-5)
    net = zero_head(NormMLP(jax.random.key(8), 9, 3, (16,)))
    np.testing.assert_array_equal(net(x[0]), np.zeros(3))


@pytest.mark.parametrize(("share", "fresh"), [(0.0, 0), (0.25, 3), (0.5, 6), (1.0, 12)])
def test_a_share_of_imagination_starts_is_formed_afresh(share: float, fresh: int) -> None:
    """Of 12 starts with a history (deter all ones), ``share`` of them, evenly spread,
    become the belief formed from the same observation alone: zero deter and the
    posterior's one-hot draw."""
    from dynalab.deep.agents.dreamer_training import dreamer_config, fresh_starts
    from dynalab.deep.rssm import Latent

    config = dreamer_config(deter=8, groups=3, classes=4, units=16, fresh_share=share)
    model = WorldModel(jax.random.key(0), 2, 3, config.rssm)
    starts = Latent(jnp.ones((12, 8)), jnp.zeros((12, 12)))
    observations = jnp.arange(24.0).reshape(12, 2)
    mixed = fresh_starts(model, starts, observations, jax.random.key(1), config)
    afresh = np.asarray((mixed.deter == 0).all(axis=1))
    assert afresh.sum() == fresh
    assert np.asarray((mixed.deter[~afresh] == 1).all())
    np.testing.assert_array_equal(np.asarray(mixed.stoch[afresh]).sum(axis=1), 3.0)
    if 0 < fresh < 12:
        gaps = np.diff(np.flatnonzero(afresh))
        assert gaps.max() - gaps.min() <= 1, "spread evenly"
