"""The compiled agent-environment loop and the runner, against ground truth."""

import textwrap

import numpy as np
import pytest

from dynalab.agents.config import AgentConfig, AgentConfigError, dyna_q, dyna_q_plus, q_learning
from dynalab.agents.step import agent_memory, agent_params
from dynalab.envs.builtin import blocking_maze, dyna_maze
from dynalab.envs.ground_truth import value_iteration
from dynalab.envs.mdp import ArrayMDP, WorldSchedule
from dynalab.planners.uniform import plan_uniform
from dynalab.run.loop import LOOPS
from dynalab.run.run_log import Budget, empty_log
from dynalab.run.runner import run_agent
from dynalab.run.seeds import make_rng, run_seeds
from tests.jit_modes import outputs_in_both_modes


def test_dyna_q_with_no_planning_is_exactly_q_learning() -> None:
    world = dyna_maze().to_mdp()
    dyna = run_agent(world, dyna_q(0), episodes=20, runs=3, seed=11)
    plain = run_agent(world, q_learning(), episodes=20, runs=3, seed=11)
    assert np.array_equal(dyna.episode_steps, plain.episode_steps)
    assert np.array_equal(dyna.final_q, plain.final_q)
    assert dyna.total_planning_updates.tolist() == [0, 0, 0]


def test_same_seed_same_numbers_whatever_the_jobs() -> None:
    world = dyna_maze().to_mdp()
    one = run_agent(world, dyna_q(5), episodes=10, runs=4, seed=5, jobs=1)
    two = run_agent(world, dyna_q(5), episodes=10, runs=4, seed=5, jobs=2)
    again = run_agent(world, dyna_q(5), episodes=10, runs=4, seed=5, jobs=2)
    assert np.array_equal(one.episode_steps, two.episode_steps)
    assert np.array_equal(two.final_q, again.final_q)
    # run i depends on (seed, i) only, not on how many runs there are
    first_two = run_agent(world, dyna_q(5), episodes=10, runs=2, seed=5)
    assert np.array_equal(first_two.episode_steps, one.episode_steps[:2])


def test_dyna_q_with_a_perfect_model_converges_to_q_star() -> None:
    """Once every reachable (s, a) of the deterministic Dyna maze has been tried, the
    learned model equals the true one; planning then is asynchronous value iteration,
    which converges to Q* (alpha=1 makes each update an exact Bellman backup)."""
    maze = dyna_maze()
    mdp = maze.to_mdp()
    decision = mdp.decision_states()
    agent = AgentConfig(name="dyna-q", planning_steps=5, alpha=1.0, gamma=0.95, epsilon=1.0)
    q_values = np.zeros((mdp.n_states, mdp.n_actions))
    memory = agent_memory(agent, mdp.n_states, mdp.n_actions)
    model = memory.model
    rng = make_rng(run_seeds(0, 1)[0])
    world = WorldSchedule.static(mdp).stacked()
    steps = 0
    while not (model.visits[decision] > 0).all():  # run until every pair was observed
        steps += 2000
        assert steps < 200_000, "exploration never covered the maze"
        LOOPS[agent.kind](
            world,
            q_values,
            memory,
            agent_params(agent),
            Budget(0, 2000, False, 0, 0),
            rng,
            rng,
            empty_log(2000, 0),
        )
    plan_uniform(q_values, model, 400_000, 1.0, 0.95, 0.0, False, 0, rng)
    q_star, _ = value_iteration(mdp, 0.95)
    assert np.abs(q_values[decision] - q_star[decision]).max() < 1e-6


def test_first_episode_is_a_random_walk_with_the_exact_hitting_time() -> None:
    """While Q is all zeros (no reward seen yet) every action ties, so the first episode
    is a uniform random walk. Its expected length solves (I - P) h = 1 off the goal; its
    second moment m solves m = 1 + P (2h + m). The tolerance is 4 standard errors of the
    mean over the runs, computed from those exact moments (a 6e-5 two-sided chance)."""
    maze = dyna_maze()
    mdp = maze.to_mdp()
    n = mdp.n_states
    transition = np.zeros((n, n))
    for s in range(n):
        for a in range(4):
            if not mdp.terminal[s, a, 0]:
                transition[s, mdp.next_state[s, a, 0]] += 0.25
    identity = np.eye(n)
    hitting = np.linalg.solve(identity - transition, np.ones(n))
    second = np.linalg.solve(identity - transition, 1.0 + 2.0 * transition @ hitting)
    start = maze.state(*maze.start)
    mean, sd = hitting[start], np.sqrt(second[start] - hitting[start] ** 2)
    runs = 1500
    result = run_agent(mdp, q_learning(), episodes=1, runs=runs, seed=2, evaluate=False)
    assert abs(result.episode_steps[:, 0].mean() - mean) < 4 * sd / np.sqrt(runs)


def test_figure_8_2_shape_planning_learns_in_few_episodes() -> None:
    """Book Fig. 8.2: with n=50 steps per episode are near the 14-step optimum by
    episodes 3-5, while Q-learning still wanders. Measured over 20 runs the n=50 mean
    is ~17 and Q-learning's is in the hundreds; the thresholds (25 and 60) leave
    wide margins on both sides."""
    world = dyna_maze().to_mdp()
    planning = run_agent(world, dyna_q(50), episodes=5, runs=20, seed=0, evaluate=False)
    model_free = run_agent(world, q_learning(), episodes=5, runs=20, seed=0, evaluate=False)
    assert planning.episode_steps[:, 2:5].mean() < 25
    assert model_free.episode_steps[:, 2:5].mean() > 60


def test_greedy_value_is_bounded_by_optimal_and_approaches_it() -> None:
    """The true value of any policy is at most V*; with n=50 the greedy policy is near
    optimal after 20 episodes. A greedy path k steps longer than the shortest is worth
    0.95**k of optimal; runs were measured between 0.73 (k=6) and 1.0 of it, so a mean
    above 0.8 over 10 runs holds with a wide margin, while the first episode's greedy
    policy (mostly ties, a random walk) is worth far less."""
    world = dyna_maze().to_mdp()
    _, v_star = value_iteration(world, 0.95)
    optimal = float(world.start_prob @ v_star)
    result = run_agent(world, dyna_q(50), episodes=20, runs=10, seed=1)
    assert np.all(result.greedy_value <= optimal + 1e-9)
    assert np.all(result.greedy_value >= 0.0)
    assert result.greedy_value[:, -1].mean() > 0.8 * optimal
    assert result.greedy_value[:, 0].mean() < 0.2 * optimal


def test_world_changes_at_exactly_the_scheduled_step() -> None:
    """Two copies of a one-state world; the second pays 1 per step from step 7 on."""

    def world(pay: float) -> ArrayMDP:
        return ArrayMDP(
            np.zeros((1, 1, 1), dtype=np.int64),
            np.ones((1, 1, 1)),
            np.full((1, 1, 1), pay),
            np.zeros((1, 1, 1), dtype=bool),
            np.ones(1),
        )

    schedule = WorldSchedule((world(0.0), world(1.0)), (0, 7))
    result = run_agent(schedule, q_learning(), steps=10, runs=1, evaluate=False)
    assert result.cumulative_reward[0].tolist() == [0, 0, 0, 0, 0, 0, 0, 1, 2, 3]


def test_step_budget_on_the_blocking_maze_records_every_step() -> None:
    result = run_agent(
        blocking_maze().to_schedule(),
        dyna_q_plus(10, kappa=1e-4, alpha=1.0),
        steps=1500,
        runs=2,
        record_every=10,
    )
    assert result.cumulative_reward.shape == (2, 150)
    assert np.all(np.diff(result.cumulative_reward, axis=1) >= 0)
    assert result.total_real_steps.tolist() == [1500, 1500]


def test_unfinished_episodes_are_recorded_as_missing() -> None:
    world = dyna_maze().to_mdp()
    # epsilon=0 and alpha tiny: a tiny step limit ends the run before 5 episodes
    result = run_agent(world, q_learning(), episodes=5, runs=1, step_limit=50)
    assert result.episodes_completed[0] < 5
    assert result.episode_steps[0, -1] == -1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"alpha": 0.0}, "alpha must be in"),
        ({"gamma": 1.5}, "gamma must be in"),
        ({"epsilon": -0.1}, "epsilon must be in"),
        ({"planning_steps": -1}, r"n \(planning_steps\) must be an integer >= 0"),
        ({"kappa": -1.0, "name": "dyna-q+"}, "kappa must be >= 0"),
        ({"model": "neural"}, "model must be one of"),
    ],
)
def test_hyper_parameters_are_validated(kwargs: dict, message: str) -> None:
    with pytest.raises(AgentConfigError, match=message):
        AgentConfig(**{"name": "dyna-q", **kwargs})


def test_the_same_source_runs_uncompiled_with_identical_numbers() -> None:
    """NUMBA_DISABLE_JIT=1 runs the kernels as plain Python: the reference mode."""
    script = textwrap.dedent(
        """
        from dynalab.agents.config import dyna_q_plus
        from dynalab.envs.builtin import dyna_maze
        from dynalab.run.runner import run_agent
        r = run_agent(dyna_maze().to_mdp(), dyna_q_plus(3, kappa=0.01), episodes=2, runs=2)
        print(r.episode_steps.tolist(), repr(float(r.final_q.sum())))
        """
    )
    outputs = outputs_in_both_modes(script)
    assert outputs[0] == outputs[1]
    assert outputs[0].startswith("[[")
