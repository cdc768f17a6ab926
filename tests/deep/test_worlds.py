"""JAX worlds: gymnax twins step as Gymnasium's envs do; tabular views sample their MDP."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

jax = pytest.importorskip("jax")
import gymnasium  # noqa: E402
import jax.numpy as jnp  # noqa: E402
from gymnasium.wrappers import TimeLimit  # noqa: E402

from dynalab.deep.tabular import array_mdp_world, maze_world  # noqa: E402
from dynalab.deep.worlds import GYMNAX_TWINS, advance, gymnax_world  # noqa: E402
from dynalab.envs.builtin import dyna_maze, slippery_cliff  # noqa: E402

TRANSITIONS = 1000

GYM_STATE = {
    "CartPole-v1": ("x", "x_dot", "theta", "theta_dot"),
    "Acrobot-v1": ("joint_angle1", "joint_angle2", "velocity_1", "velocity_2"),
    "MountainCar-v0": ("position", "velocity"),
}
"""The twin's state fields in the order of Gymnasium's ``env.unwrapped.state``."""

BOXES = {
    "CartPole-v1": ((-2.3, -2.0, -0.2, -2.0), (2.3, 2.0, 0.2, 2.0)),
    "Acrobot-v1": (
        (-np.pi, -np.pi, -2 * np.pi, -4.5 * np.pi),
        (np.pi, np.pi, 2 * np.pi, 4.5 * np.pi),
    ),
    "MountainCar-v0": ((-1.2, -0.07), (0.6, 0.07)),
}
"""Live states are drawn uniformly from these boxes (CartPole's inside its bounds), so
that terminations happen often within 1000 transitions. Acrobot's velocities stay within
half their bounds (4 pi, 9 pi): the twin computes in float32, and near the bounds one
Runge-Kutta step of 0.2 s amplifies float32 rounding to up to 6e-4 (measured; with
``jax_enable_x64`` the twin matches Gymnasium to 1e-14 over the whole box). In 20,000
random-policy steps the velocities reached 40% and 33% of their bounds (measured)."""


def _random_states(world, env_id: str, rng: np.random.Generator):
    """TRANSITIONS twin states drawn from BOXES; a quarter one step before the time limit."""
    _, state = jax.vmap(world.reset)(jax.random.split(jax.random.key(0), TRANSITIONS))
    low, high = BOXES[env_id]
    values = rng.uniform(low, high, size=(TRANSITIONS, len(low))).astype(np.float32)
    time = rng.integers(0, world.max_steps, TRANSITIONS)
    time[rng.random(TRANSITIONS) < 0.25] = world.max_steps - 1
    fields = {name: jnp.asarray(values[:, i]) for i, name in enumerate(GYM_STATE[env_id])}
    return state.replace(**fields, time=jnp.asarray(time, jnp.int32))


def _time_limit(env: gymnasium.Env) -> TimeLimit:
    while not isinstance(env, TimeLimit):
        env = env.env
    return env


@pytest.mark.parametrize("env_id", GYMNAX_TWINS)
def test_the_twin_steps_as_gymnasium_does_from_the_same_states(env_id: str) -> None:
    world = gymnax_world(env_id)
    rng = np.random.default_rng(1)
    states = _random_states(world, env_id, rng)
    actions = jnp.asarray(rng.integers(0, world.n_actions, TRANSITIONS), jnp.int32)
    keys = jax.random.split(jax.random.key(1), TRANSITIONS)
    _, after, reward, terminated, truncated = jax.jit(jax.vmap(world.step))(keys, states, actions)
    env = gymnasium.make(env_id)
    env.reset(seed=0)
    limit = _time_limit(env)
    names = GYM_STATE[env_id]
    for i in range(TRANSITIONS):
        env.unwrapped.state = np.array([float(getattr(states, n)[i]) for n in names])
        limit._elapsed_steps = int(states.time[i])
        if env_id == "CartPole-v1":
            env.unwrapped.steps_beyond_terminated = None
        _, gym_reward, gym_terminated, gym_truncated, _ = env.step(int(actions[i]))
        twin = np.array([float(getattr(after, n)[i]) for n in names])
        np.testing.assert_allclose(twin, env.unwrapped.state, rtol=1e-5, atol=1e-5)
        assert float(reward[i]) == gym_reward
        assert (bool(terminated[i]), bool(truncated[i])) == (gym_terminated, gym_truncated)
    assert 0 < int(terminated.sum()) < TRANSITIONS, "both kinds of transition were tested"
    assert 0 < int(truncated.sum()) < TRANSITIONS, "the time limit was tested"
    assert world.solved_return == gymnasium.spec(env_id).reward_threshold


def test_advance_resets_where_an_episode_ends() -> None:
    world = gymnax_world("CartPole-v1")
    obs, state = world.reset(jax.random.key(0))
    state = state.replace(theta=jnp.float32(0.2), theta_dot=jnp.float32(3.0))
    moved = advance(world, jax.random.key(1), state, jnp.int32(1))
    assert bool(moved.terminated)
    assert float(moved.next_obs[2]) > 0.2094 and abs(float(moved.obs[2])) <= 0.05
    assert int(moved.state.time) == 0


def test_the_one_hot_view_samples_the_mdp_tables() -> None:
    """4,000 draws per (s, a): each outcome's frequency is within 4 standard errors
    (at most 4 x sqrt(0.25 / 4000) = 0.032) of its table probability; a false alarm
    has probability below 1e-3 over the pairs tested."""
    maze = slippery_cliff()
    mdp = maze.to_mdp()
    world = maze_world(maze)
    draws = 4000
    pairs = [(s, a) for s in range(0, mdp.n_states, 7) for a in range(mdp.n_actions)][:12]
    for s, a in pairs:
        keys = jax.random.split(jax.random.key(s * 10 + a), draws)
        state = jax.vmap(lambda _: world.reset(jax.random.key(0))[1])(jnp.arange(draws))
        state = state._replace(index=jnp.full(draws, s, jnp.int32))
        obs, after, reward, terminated, _ = jax.vmap(world.step, (0, 0, None))(
            keys, state, jnp.int32(a)
        )
        reached = np.asarray(after.index)
        np.testing.assert_array_equal(np.asarray(obs), np.eye(mdp.n_states)[reached])
        tested = 0
        for k in np.flatnonzero(mdp.prob[s, a] > 0):
            cell = mdp.next_state[s, a, k]
            hit = reached == cell
            expected = mdp.prob[s, a][mdp.next_state[s, a] == cell].sum()
            assert abs(hit.mean() - expected) <= 4 * np.sqrt(0.25 / draws)
            np.testing.assert_allclose(np.asarray(reward)[hit], mdp.reward[s, a, k], rtol=1e-6)
            assert (np.asarray(terminated)[hit] == mdp.terminal[s, a, k]).all()
            tested += 1
        assert tested >= 1
    assert any((mdp.prob[s, a] > 0).sum() > 1 for s, a in pairs), "some pair is stochastic"


def test_the_tabular_view_starts_where_the_mdp_starts_and_truncates_at_its_limit() -> None:
    mdp = dyna_maze().to_mdp()
    world = array_mdp_world(mdp)
    _, state = jax.vmap(world.reset)(jax.random.split(jax.random.key(0), 100))
    assert set(np.asarray(state.index).tolist()) == set(np.flatnonzero(mdp.start_prob).tolist())
    limited = maze_world(dataclasses.replace(dyna_maze(), max_steps=3))
    _, state = limited.reset(jax.random.key(0))
    ends = []
    for t in range(3):
        _, state, _, _, truncated = limited.step(jax.random.key(t), state, jnp.int32(0))
        ends.append(bool(truncated))
    assert ends == [False, False, True]


def test_coords_show_a_maze_cell_as_its_scaled_row_and_column() -> None:
    maze = dyna_maze()
    world = maze_world(maze, "coords")
    assert world.obs_shape == (2,)
    row, col = maze.start
    np.testing.assert_allclose(
        world.observations[maze.state(row, col)], [row / (maze.rows - 1), col / (maze.cols - 1)]
    )
