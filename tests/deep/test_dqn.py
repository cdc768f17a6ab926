"""DQN: its targets and loss by hand, its replay, its determinism, and ground truth on a maze."""

from __future__ import annotations

import numpy as np
import pytest

jax = pytest.importorskip("jax")
import jax.numpy as jnp  # noqa: E402

from dynalab.deep.agents.dqn import dqn_config, epsilon_at  # noqa: E402
from dynalab.deep.budget import Budget  # noqa: E402
from dynalab.deep.replay import Transitions, replay_add, replay_init, replay_sample  # noqa: E402
from dynalab.deep.runs import exact_greedy_values, train_runs  # noqa: E402
from dynalab.deep.tabular import maze_world  # noqa: E402
from dynalab.deep.value_learning import (  # noqa: E402
    double_q_learning_target,
    huber_loss,
    q_learning_target,
    td_loss,
)
from dynalab.deep.worlds import gymnax_world  # noqa: E402
from dynalab.envs.builtin import dyna_maze  # noqa: E402
from dynalab.envs.ground_truth import value_iteration  # noqa: E402

TINY = dqn_config(
    hidden="16",
    batch=8,
    buffer=300,
    learning_starts=100,
    epsilon_steps=500,
    target_every=100,
    double=True,
)
SHORT = Budget(steps=1500, eval_every=500, eval_episodes=3)
"""A CartPole run small enough to compile and run in a few seconds (the tests share one
compiled program per batch size)."""


@pytest.fixture(scope="module")
def cartpole():
    return gymnax_world("CartPole-v1")


def test_huber_is_quadratic_inside_delta_and_linear_outside() -> None:
    errors = jnp.array([0.0, 0.5, -1.0, 3.0, -2.5])
    np.testing.assert_allclose(huber_loss(errors), [0.0, 0.125, 0.5, 2.5, 2.0])
    np.testing.assert_allclose(huber_loss(jnp.array([3.0]), delta=2.0), [4.0])


def test_targets_and_td_loss_match_a_hand_computation() -> None:
    q_t_target = jnp.array([[1.0, 4.0], [2.0, 0.5]])
    q_t_online = jnp.array([[3.0, 0.0], [0.0, 1.0]])
    r_t = jnp.array([1.0, -1.0])
    discount_t = jnp.array([0.9, 0.0])  # the second transition terminated
    # DQN: 1 + 0.9 * max(1, 4) = 4.6; -1 + 0 = -1.
    np.testing.assert_allclose(q_learning_target(q_t_target, r_t, discount_t), [4.6, -1.0])
    # Double DQN: the online net picks action 0 in row 0 (value 1 under the target net).
    double = double_q_learning_target(q_t_target, q_t_online, r_t, discount_t)
    np.testing.assert_allclose(double, [1.9, -1.0])
    q_tm1 = jnp.array([[4.0, 0.0], [0.0, -0.75]])
    # Errors 4.6 - 4.0 = 0.6 (0.18) and -1 - (-0.75) = -0.25 (0.03125): inside Huber's
    # delta both losses are half the square.
    for loss_name in ("mse", "huber"):
        loss = td_loss(q_tm1, jnp.array([0, 1]), jnp.array([4.6, -1.0]), loss_name)
        np.testing.assert_allclose(loss, (0.18 + 0.03125) / 2, rtol=1e-6)
    # An error of 3: half its square is 4.5, Huber's (delta 1) is 3 - 0.5 = 2.5.
    far = jnp.array([7.0, -0.75])
    np.testing.assert_allclose(td_loss(q_tm1, jnp.array([0, 1]), far, "mse"), 4.5 / 2)
    np.testing.assert_allclose(td_loss(q_tm1, jnp.array([0, 1]), far, "huber"), 2.5 / 2)


def test_the_replay_ring_buffer_overwrites_the_oldest_and_samples_only_stored() -> None:
    replay = replay_init(3, (1,))
    for i in range(5):
        obs = jnp.array([float(i)])
        replay = replay_add(replay, Transitions(obs, jnp.int32(i), 0.0, obs, jnp.bool_(False)))
    assert int(replay.size) == 3 and int(replay.position) == 2
    assert sorted(np.asarray(replay.data.action).tolist()) == [2, 3, 4]
    one = Transitions(jnp.ones(1), jnp.int32(7), 0.0, jnp.zeros(1), jnp.bool_(False))
    small = replay_add(replay_init(8, (1,)), one)
    drawn = replay_sample(small, jax.random.key(0), 50)
    assert (np.asarray(drawn.action) == 7).all()


def test_epsilon_falls_linearly_then_stays() -> None:
    config = dqn_config(epsilon_start=1.0, epsilon_end=0.1, epsilon_steps=100)
    schedule = epsilon_at(config, jnp.array([0, 50, 100, 1000]))
    np.testing.assert_allclose(schedule, [1, 0.55, 0.1, 0.1], rtol=1e-6)


def test_a_cartpole_run_records_finite_metrics_at_each_evaluation(cartpole) -> None:
    networks, metrics = train_runs(cartpole, TINY, SHORT, seed=0, runs=2)
    assert metrics["env_step"].tolist() == [[0, 500, 1000, 1500]] * 2
    for name in ("eval_return", "eval_discounted_return", "believed_value", "epsilon"):
        assert metrics[name].shape == (2, 4) and np.isfinite(metrics[name]).all(), name
    assert np.isnan(metrics["loss"][:, 0]).all() and np.isfinite(metrics["loss"][:, 1:]).all()
    assert (np.diff(metrics["train_episodes"], axis=1) >= 0).all()
    assert (metrics["eval_return"] >= 1).all() and (metrics["eval_return"] <= 500).all()
    assert networks.weights[0].shape == (2, 16, 5)


def test_a_run_gives_the_same_numbers_alone_twice_and_in_any_batch(cartpole) -> None:
    """Bit for bit (no tolerance): run 3 of seed 0 alone, again alone, in a batch of 2
    and in a batch of 5."""
    _, alone = train_runs(cartpole, TINY, SHORT, seed=0, runs=[3])
    _, again = train_runs(cartpole, TINY, SHORT, seed=0, runs=[3])
    _, pair = train_runs(cartpole, TINY, SHORT, seed=0, runs=[3, 0])
    _, five = train_runs(cartpole, TINY, SHORT, seed=0, runs=5)
    for name, value in alone.items():
        for other, row in ((again, 0), (pair, 0), (five, 3)):
            np.testing.assert_array_equal(value[0], other[name][row], err_msg=name)
    assert not np.array_equal(five["believed_value"][0], five["believed_value"][3])


@pytest.mark.parametrize("observation", ["one-hot", "pixels"])
def test_dqn_on_the_dyna_maze_reaches_the_optimal_policy(observation: str) -> None:
    """Through the neural path, against value iteration: after 6,000 steps each of 2 runs'
    greedy policy is worth at least 95% of V*(start) exactly (one step more than the
    shortest path would be worth 95.0%, so this asks for a shortest path), and its
    believed start value is within 0.05 of V*(start) = 0.513. Measured for seed 0, 8 runs:
    one-hot cells, all optimal from step 4,500 on, believed values within 0.023; pictures
    (6x9x5 pixels), all optimal from step 4,500 on, believed values within 0.002."""
    world = maze_world(dyna_maze(), observation)
    gamma = 0.95
    config = dqn_config(
        gamma=gamma,
        lr=1e-3,
        hidden="64",
        double=False,
        batch=32,
        buffer=4000,
        target_every=100,
        learning_starts=200,
        epsilon_steps=3000,
        epsilon_end=0.1,
    )
    budget = Budget(steps=6000, eval_every=1000, eval_episodes=2)
    _, metrics = train_runs(world, config, budget, seed=0, runs=2)
    _, v_star = value_iteration(world.mdp, gamma)
    start = int(np.flatnonzero(world.mdp.start_prob)[0])
    exact = exact_greedy_values(world, metrics["q_table"], gamma)
    assert exact.shape == (2, 7)
    assert (exact[:, -1] >= 0.95 * v_star[start]).all(), exact
    assert np.abs(metrics["believed_value"][:, -1] - v_star[start]).max() <= 0.05
    assert (exact[:, 0] < 0.95 * v_star[start]).all(), "the untrained policy is not optimal"
