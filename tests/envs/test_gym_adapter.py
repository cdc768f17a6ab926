"""Tests for the Gymnasium adapter: exact tables in, dynalab worlds out, one-line refusals."""

from __future__ import annotations

import gymnasium
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

from dynalab.envs.ground_truth import greedy_path_length, value_iteration
from dynalab.envs.gym_adapter import (
    BUILTIN_ENV_IDS,
    TabularEnv,
    UnsupportedEnvError,
    check_discrete,
    from_gymnasium,
    make_gym_env,
    register_envs,
)
from dynalab.envs.mdp import ArrayMDP, WorldSchedule

GAMMA = 0.99


def direct_value_iteration(table: dict, n_states: int, n_actions: int, gamma: float) -> list:
    """Value iteration straight over ``P[s][a]`` lists, independent of the array code."""
    values = [0.0] * n_states
    while True:
        change = 0.0
        for s in range(n_states):
            best = max(
                sum(
                    p * (r + (0.0 if done else gamma * values[s2]))
                    for p, s2, r, done in table[s][a]
                )
                for a in range(n_actions)
            )
            change = max(change, abs(best - values[s]))
            values[s] = best
        if change < 1e-13:
            return values


def chain_mdp(max_steps: int = 0, right_reward: float = 1.0) -> ArrayMDP:
    """States 0-1-2; action 1 moves right (terminating into 2), action 0 stays, both certain."""
    next_state = np.array([[[0], [1]], [[1], [2]], [[2], [2]]])
    reward = np.zeros((3, 2, 1))
    reward[1, 1, 0] = right_reward
    terminal = np.zeros((3, 2, 1), dtype=bool)
    terminal[1, 1, 0] = True
    return ArrayMDP(
        next_state=next_state,
        prob=np.ones((3, 2, 1)),
        reward=reward,
        terminal=terminal,
        start_prob=np.array([1.0, 0.0, 0.0]),
        max_steps=max_steps,
        name="chain",
    )


@pytest.mark.parametrize(
    ("env_id", "kwargs", "max_steps"),
    [
        ("FrozenLake-v1", {}, 100),
        ("FrozenLake8x8-v1", {}, 200),
        ("FrozenLake-v1", {"map_name": "8x8"}, 100),
    ],
)
def test_frozen_lake_matches_direct_value_iteration(env_id, kwargs, max_steps):
    env = gymnasium.make(env_id, **kwargs)
    mdp = from_gymnasium(env)
    n_states, n_actions = check_discrete(env)
    assert (mdp.n_states, mdp.n_actions) == (n_states, n_actions)
    assert not mdp.is_deterministic
    _, values = value_iteration(mdp, gamma=GAMMA)
    expected = direct_value_iteration(env.unwrapped.P, n_states, n_actions, GAMMA)
    np.testing.assert_allclose(values, expected, rtol=0, atol=1e-8)
    np.testing.assert_array_equal(mdp.start_prob, env.unwrapped.initial_state_distrib)
    assert mdp.max_steps == max_steps
    assert mdp.name == f"gym:{env_id}"


def test_duplicate_outcomes_are_merged_and_padding_stays_put():
    """Each (s, a) holds one slot per distinct (next, reward, terminated), with the summed
    probability of its listings in P, in the order of first listing; padding slots have
    probability 0 and stay in s."""
    env = gymnasium.make("FrozenLake-v1")
    table = env.unwrapped.P
    mdp = from_gymnasium(env, name="lake")
    assert mdp.name == "lake"
    assert mdp.max_outcomes == 3
    for s in range(mdp.n_states):
        for a in range(mdp.n_actions):
            tally: dict[tuple[int, float, bool], float] = {}
            for p, s2, r, t in table[s][a]:
                tally[(s2, float(r), t)] = tally.get((s2, float(r), t), 0.0) + p
            k = len(tally)
            slots = zip(
                mdp.next_state[s, a, :k], mdp.reward[s, a, :k], mdp.terminal[s, a, :k], strict=True
            )
            assert [(int(s2), float(r), bool(t)) for s2, r, t in slots] == list(tally)
            np.testing.assert_allclose(mdp.prob[s, a, :k], list(tally.values()))
            assert mdp.prob[s, a].sum() == pytest.approx(1.0)
            assert (mdp.prob[s, a, k:] == 0).all()
            assert (mdp.next_state[s, a, k:] == s).all()


def test_frozen_lake_duplicates_merged_answer_most_likely_and_determinism_right():
    """Right in the top-right corner (P[3][2]) slips down into the hole 7 or stays in 3
    twice (bumping right, slipping up): merged, staying has probability 2/3. Unmerged,
    the first of three 1/3 slots (the hole) would be the most likely outcome, and the
    greedy path would end there in one move. A 1x1 lake, where every slip bumps, lists
    state 0 three times for every action: merged, it is deterministic. Merging leaves
    the values as value iteration straight over P computes them."""
    env = gymnasium.make("FrozenLake-v1")
    mdp = from_gymnasium(env)
    assert [outcome[1] for outcome in env.unwrapped.P[3][2]] == [7, 3, 3]
    assert mdp.next_state[3, 2, :2].tolist() == [7, 3]
    np.testing.assert_allclose(mdp.prob[3, 2], [1 / 3, 2 / 3, 0.0])
    always_right = np.zeros((mdp.n_states, mdp.n_actions))
    always_right[:, 2] = 1.0
    assert greedy_path_length(mdp.next_state, mdp.prob, mdp.terminal, 3, always_right, 5) == -1
    _, values = value_iteration(mdp, gamma=GAMMA)
    expected = direct_value_iteration(env.unwrapped.P, mdp.n_states, mdp.n_actions, GAMMA)
    np.testing.assert_allclose(values, expected, rtol=0, atol=1e-8)
    tiny = from_gymnasium(gymnasium.make("FrozenLake-v1", desc=[["S"]]))
    assert tiny.max_outcomes == 1
    assert tiny.is_deterministic
    np.testing.assert_array_equal(tiny.prob[0, :, 0], np.ones(4))


def test_taxi_converts():
    env = gymnasium.make("Taxi-v4")
    mdp = from_gymnasium(env)
    assert (mdp.n_states, mdp.n_actions) == (500, 6)
    assert mdp.max_steps == 200
    assert mdp.is_deterministic
    np.testing.assert_allclose(mdp.start_prob, env.unwrapped.initial_state_distrib)


def test_taxi_with_fickle_passenger_is_refused():
    env = gymnasium.make("Taxi-v4", fickle_passenger=True)
    with pytest.raises(UnsupportedEnvError, match="fickle_passenger"):
        from_gymnasium(env)


def test_cliff_walking_converts_with_one_hot_start_and_cliff_back_to_start():
    mdp = from_gymnasium(gymnasium.make("CliffWalking-v1"))
    assert (mdp.n_states, mdp.n_actions) == (48, 4)
    expected_start = np.zeros(48)
    expected_start[36] = 1.0
    np.testing.assert_array_equal(mdp.start_prob, expected_start)
    assert mdp.max_steps == 0
    right = 1
    assert (mdp.next_state[36, right, 0], mdp.reward[36, right, 0]) == (36, -100.0)
    assert not mdp.terminal[36, right, 0]
    _, values = value_iteration(mdp, gamma=1.0)
    assert values[36] == pytest.approx(-13.0)


def test_cart_pole_is_refused_naming_the_space():
    with pytest.raises(UnsupportedEnvError) as info:
        check_discrete(gymnasium.make("CartPole-v1"))
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith("gym:CartPole-v1: observation space Box(")
    assert "not Discrete" in message


def test_nonzero_space_start_is_refused():
    env = TabularEnv(chain_mdp())
    env.observation_space = gymnasium.spaces.Discrete(3, start=1)
    with pytest.raises(UnsupportedEnvError, match="starts at 1"):
        check_discrete(env)


def test_env_without_table_is_refused():
    with pytest.raises(UnsupportedEnvError, match="exposes no transition table"):
        from_gymnasium(TabularEnv(chain_mdp()))


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_unknown_id_is_refused_with_gymnasiums_suggestion():
    with pytest.raises(UnsupportedEnvError, match="Did you mean: `FrozenLake`") as info:
        make_gym_env("frozenlake-v1")
    assert str(info.value).startswith("gym:frozenlake-v1: ")
    with pytest.raises(UnsupportedEnvError, match="Taxi-v4"):
        make_gym_env("Taxi-v3")


def test_bad_keyword_is_refused_naming_it():
    with pytest.raises(UnsupportedEnvError) as info:
        make_gym_env("FrozenLake-v1", slipery=False)
    assert str(info.value) == "gym:FrozenLake-v1: unknown keyword argument 'slipery'"


def test_make_gym_env_passes_kwargs():
    env = make_gym_env("FrozenLake-v1", is_slippery=False)
    assert from_gymnasium(env).is_deterministic


def test_tabular_env_passes_check_env():
    check_env(TabularEnv(chain_mdp(), render_mode="ansi"))


def test_tabular_env_steps_and_truncates():
    env = TabularEnv(chain_mdp(max_steps=3))
    assert env.reset(seed=0) == (0, {"prob": 1.0})
    assert env.step(0) == (0, 0.0, False, False, {"prob": 1.0})
    assert env.step(1) == (1, 0.0, False, False, {"prob": 1.0})
    assert env.step(0) == (1, 0.0, False, True, {"prob": 1.0})
    env.reset()
    env.step(1)
    assert env.step(1) == (2, 1.0, True, False, {"prob": 1.0})
    assert env.total_steps == 5


def test_tabular_env_samples_outcomes_by_probability():
    mdp = ArrayMDP(
        next_state=np.array([[[0, 1]], [[1, 1]]]),
        prob=np.array([[[0.25, 0.75]], [[1.0, 0.0]]]),
        reward=np.zeros((2, 1, 2)),
        terminal=np.ones((2, 1, 2), dtype=bool),
        start_prob=np.array([1.0, 0.0]),
    )
    env = TabularEnv(mdp)
    env.reset(seed=1)
    landed = []
    for _ in range(4000):
        env.reset()
        landed.append(env.step(0)[0])
    assert np.mean(landed) == pytest.approx(0.75, abs=0.03)


def test_schedule_changes_dynamics_at_exactly_the_switch_step():
    schedule = WorldSchedule(
        worlds=(chain_mdp(right_reward=1.0), chain_mdp(right_reward=-1.0)),
        switch_steps=(0, 5),
    )
    env = TabularEnv(schedule)
    env.reset(seed=0)
    rewards = []
    for _ in range(4):
        env.step(1)
        rewards.append(env.step(1)[1])
        env.reset()
    assert rewards == [1.0, 1.0, -1.0, -1.0]
    assert env.total_steps == 8


def test_schedule_switches_in_mid_episode():
    schedule = WorldSchedule(
        worlds=(chain_mdp(right_reward=1.0), chain_mdp(right_reward=-1.0)),
        switch_steps=(0, 5),
    )
    env = TabularEnv(schedule)
    env.reset(seed=0)
    for _ in range(4):
        env.step(0)
    env.step(1)
    assert env.total_steps == 5
    assert env.step(1)[1] == -1.0


def test_render_text():
    env = TabularEnv(chain_mdp(), render_mode="ansi", render_text=lambda s: f"at {s}")
    env.reset(seed=0)
    assert env.render() == "at 0"
    assert TabularEnv(chain_mdp()).render() is None


def test_register_envs_is_idempotent():
    register_envs()
    register_envs()
    for env_id in BUILTIN_ENV_IDS:
        assert env_id in gymnasium.registry
        assert gymnasium.registry[env_id].max_episode_steps is None


def builtin_importable() -> bool:
    """Whether ``dynalab.envs.builtin`` (written in parallel with this adapter) imports."""
    try:
        import dynalab.envs.builtin  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.mark.skipif(
    not builtin_importable(),
    reason="dynalab.envs.builtin (the builtin mazes) cannot be imported yet",
)
@pytest.mark.parametrize("env_id", sorted(BUILTIN_ENV_IDS))
def test_builtin_maze_ids_pass_check_env(env_id):
    import dynalab.envs  # noqa: F401  (registers the ids on import)

    env = gymnasium.make(env_id)
    check_env(env.unwrapped)
    state, _ = env.reset(seed=0)
    assert env.observation_space.contains(state)


def test_swamp_maze_id_steps_into_the_swamp():
    """``dynalab/SwampMaze-v0``: from the start (5, 0) of the 6x9 swamp maze, up twice to
    (3, 0) on dry land (reward 0), a third time into the swamp (2, 0): reward -5, and the
    episode goes on; up again leaves the swamp (0), up once more enters the goal (+1)."""
    import dynalab.envs  # noqa: F401  (registers the ids on import)

    assert BUILTIN_ENV_IDS["dynalab/SwampMaze-v0"] == "swamp-maze"
    env = gymnasium.make("dynalab/SwampMaze-v0")
    state, _ = env.reset(seed=0)
    cols = 9
    assert state == 5 * cols
    up = 0
    steps = [env.step(up) for _ in range(5)]
    assert [int(s) for s, *_ in steps] == [4 * cols, 3 * cols, 2 * cols, cols, 0]
    assert [r for _, r, *_ in steps] == [0.0, 0.0, -5.0, 0.0, 1.0]
    assert [terminated for _, _, terminated, _, _ in steps] == [False] * 4 + [True]
    assert not any(truncated for *_, truncated, _ in steps)
