"""The step-by-step Gymnasium path: same agent pieces, terminated vs truncated."""

import gymnasium
import numpy as np
import pytest

import dynalab.envs  # noqa: F401  (registers dynalab/DynaMaze-v0)
from dynalab.agents.config import AgentConfig, dyna_q
from dynalab.envs.builtin import dyna_maze
from dynalab.envs.gym_adapter import TabularEnv
from dynalab.envs.mdp import ArrayMDP, WorldSchedule
from dynalab.run.gym_loop import run_agent_on_env
from dynalab.run.runner import run_agent
from dynalab.specs.agents import parse_agent_spec
from dynalab.specs.worlds import parse_env_spec


def one_state_world(terminal: bool, max_steps: int) -> ArrayMDP:
    """One state, one action, reward 1; the step terminates or the time limit cuts it."""
    return ArrayMDP(
        np.zeros((1, 1, 1), dtype=np.int64),
        np.ones((1, 1, 1)),
        np.ones((1, 1, 1)),
        np.full((1, 1, 1), terminal),
        np.ones(1),
        max_steps=max_steps,
    )


@pytest.mark.parametrize(
    ("terminal", "expected"),
    # truncated: Q = 1 + 0.5 Q -> 2 (bootstraps); terminated: Q = 1 (no bootstrap)
    [(False, 2.0), (True, 1.0)],
)
def test_truncation_bootstraps_and_termination_does_not(terminal: bool, expected: float) -> None:
    agent = AgentConfig(name="q-learning", planning_steps=0, alpha=1.0, gamma=0.5, epsilon=0.0)
    result = run_agent_on_env(
        lambda: TabularEnv(one_state_world(terminal, max_steps=1)), agent, episodes=60
    )
    assert result.episode_steps[0].tolist() == [1] * 60
    assert result.final_q[0, 0, 0] == pytest.approx(expected)


def ring_world() -> ArrayMDP:
    """Two states in a ring, one action: 0 -> 1 pays 1, 1 -> 0 pays 0, nothing ends, and
    the time limit of 5 cuts every episode. At gamma 0.9, V(0) = 1 / (1 - 0.81), which
    policy evaluation only approaches: where it stops depends on its tolerance."""
    return ArrayMDP(
        np.array([[[1]], [[0]]]),
        np.ones((2, 1, 1)),
        np.array([[[1.0]], [[0.0]]]),
        np.zeros((2, 1, 1), dtype=bool),
        np.array([1.0, 0.0]),
        max_steps=5,
    )


def test_compiled_and_step_by_step_paths_record_bit_identical_greedy_values() -> None:
    """With one action, both paths take the same steps whatever their random streams,
    learn the same Q, and so must record the same greedy values to the last bit: both
    call the ground truth's one greedy-value kernel, at its one tolerance."""
    agent = AgentConfig(name="q-learning", alpha=0.5, gamma=0.9, epsilon=0.1)
    world = ring_world()
    compiled = run_agent(world, agent, episodes=6, runs=2, seed=3)
    stepped = run_agent_on_env(
        lambda: TabularEnv(world), agent, episodes=6, runs=2, seed=3, true_mdp=world
    )
    assert compiled.episode_steps.tolist() == [[5] * 6] * 2
    assert np.array_equal(compiled.episode_steps, stepped.episode_steps)
    assert np.array_equal(compiled.final_q, stepped.final_q)
    assert np.array_equal(compiled.greedy_value, stepped.greedy_value)
    np.testing.assert_allclose(compiled.greedy_value, 1 / (1 - 0.81), rtol=0, atol=1e-8)


def corridor(start: int) -> ArrayMDP:
    """States 0-1-2-3 in a row, one action: each step moves right, and the move into 3
    ends the episode with reward 1. Episodes start in ``start``, 3 - start steps away."""
    next_state = np.array([[[1]], [[2]], [[3]], [[3]]])
    reward = np.zeros((4, 1, 1))
    reward[2, 0, 0] = 1.0
    terminal = np.zeros((4, 1, 1), dtype=bool)
    terminal[2:, 0, 0] = True
    return ArrayMDP(next_state, np.ones((4, 1, 1)), reward, terminal, np.eye(4)[start])


def test_an_episode_that_begins_at_a_world_switch_starts_in_the_new_world() -> None:
    """The first world starts episodes in state 0 (3 steps), the second, in force from
    real step 3, in state 1 (2 steps). The first episode ends exactly at step 3, so the
    second starts in the new world: episodes of 3, 2, 2, 2 steps on both paths. The
    greedy value at the first episode's end is the new world's too (the start is worth
    gamma there, gamma^2 in the old world): after step 3 the new world is in force."""
    gamma = 0.9
    agent = AgentConfig(name="q-learning", alpha=0.5, gamma=gamma, epsilon=0.1)
    schedule = WorldSchedule((corridor(0), corridor(1)), (0, 3))
    compiled = run_agent(schedule, agent, episodes=4, runs=2, seed=5)
    stepped = run_agent_on_env(
        lambda: TabularEnv(schedule), agent, episodes=4, runs=2, seed=5, true_mdp=schedule
    )
    assert compiled.episode_steps.tolist() == [[3, 2, 2, 2]] * 2
    assert np.array_equal(compiled.episode_steps, stepped.episode_steps)
    assert np.array_equal(compiled.episode_return, stepped.episode_return)
    assert np.array_equal(compiled.final_q, stepped.final_q)
    assert np.array_equal(compiled.greedy_value, stepped.greedy_value)
    np.testing.assert_allclose(compiled.greedy_value, gamma, rtol=0, atol=1e-12)


def test_step_by_step_learns_the_registered_maze_like_the_compiled_path() -> None:
    """Dyna-Q through gymnasium.make('dynalab/DynaMaze-v0') learns the 14-step maze."""
    maze_mdp = dyna_maze().to_mdp()
    result = run_agent_on_env(
        lambda: gymnasium.make("dynalab/DynaMaze-v0"),
        dyna_q(20),
        episodes=15,
        runs=3,
        true_mdp=maze_mdp,
    )
    # with n=20 the last episodes are near the 14-step optimum (epsilon adds ~2 steps);
    # 25 leaves a wide margin against one exploratory detour
    assert result.episode_steps[:, -3:].mean() < 25
    assert np.all(result.greedy_value[:, -1] > 0)


def test_same_seed_same_numbers_step_by_step() -> None:
    make = lambda: gymnasium.make("FrozenLake-v1")  # noqa: E731
    first = run_agent_on_env(make, dyna_q(5, model="counts"), episodes=30, runs=2, seed=4)
    again = run_agent_on_env(make, dyna_q(5, model="counts"), episodes=30, runs=2, seed=4)
    assert np.array_equal(first.episode_steps, again.episode_steps)
    assert np.array_equal(first.final_q, again.final_q)


@pytest.mark.parametrize(
    "spec",
    [
        "prioritized-sweeping:n=5,model=counts",
        "model-vi:model=counts",
        "mcts:simulations=10",
        "dyna-q:n=5,sampling=on-policy",
        "dyna-q+:n=5",
        "dyna-q:n=5,model=aggregate",
        "dyna-q:n=5,model=aggregate,ensemble=3,uncertainty=optimistic",
    ],
)
def test_every_planner_runs_step_by_step(spec: str) -> None:
    """The step-by-step path calls the same compiled agent pieces as the compiled loop:
    every planner completes its episodes on the registered maze, plans, learns values,
    and gives the same numbers for the same seed."""
    from dynalab.specs.agents import parse_agent_spec

    agent = parse_agent_spec(spec)
    maze_mdp = dyna_maze().to_mdp()
    result = run_agent_on_env(
        lambda: gymnasium.make("dynalab/DynaMaze-v0"),
        agent,
        episodes=10,
        runs=2,
        true_mdp=maze_mdp,
    )
    assert result.episodes_completed.tolist() == [10, 10]
    assert result.total_planning_updates.min() > 0
    assert np.all(np.abs(result.final_q).max(axis=(1, 2)) > 0)
    again = run_agent_on_env(
        lambda: gymnasium.make("dynalab/DynaMaze-v0"),
        agent,
        episodes=10,
        runs=2,
        true_mdp=maze_mdp,
    )
    assert np.array_equal(result.episode_steps, again.episode_steps)


ONE_SPEC_PER_KIND = (
    "q-learning",
    "dyna-q:n=5",
    "dyna-q:n=5,model=counts",
    "dyna-q+:n=5",
    "dyna-q:n=5,sampling=on-policy",
    "dyna-q:n=5,model=aggregate",
    "dyna-q:n=5,model=aggregate,ensemble=3",
    "prioritized-sweeping:n=5,model=counts",
    "model-vi:model=counts,sweeps=5",
    "mcts:simulations=10",
)


@pytest.mark.parametrize("spec", ONE_SPEC_PER_KIND)
@pytest.mark.parametrize("env", ["slippery-cliff", "blocking-maze"])
def test_both_paths_give_identical_numbers_on_the_same_world_and_seed(spec: str, env: str) -> None:
    """The compiled loop and the step-by-step loop over ``TabularEnv`` run the same
    per-step functions on the same streams (the agent's, and the world's, which
    ``TabularEnv`` draws from after ``reset(seed=world_seed)``), so every number agrees
    to the last bit: on a world whose moves slip, and on one that changes mid-run."""
    world = parse_env_spec(env)
    agent = parse_agent_spec(spec)
    budget = {"steps": 1500} if world.change_steps else {"episodes": 8}
    compiled = run_agent(world.schedule, agent, runs=2, seed=11, **budget)
    stepped = run_agent_on_env(
        lambda: TabularEnv(world.schedule),
        agent,
        runs=2,
        seed=11,
        true_mdp=world.schedule,
        **budget,
    )
    for field in (
        "episode_steps",
        "episode_return",
        "real_steps",
        "planning_updates",
        "cumulative_reward",
        "final_q",
        "greedy_value",
        "believed_value",
        "model_error",
    ):
        assert np.array_equal(getattr(compiled, field), getattr(stepped, field), equal_nan=True)
