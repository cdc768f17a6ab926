"""The ensemble: Poisson(1) bootstrap members, their guesses and their disagreement."""

import math
import textwrap

import numpy as np
import pytest

from dynalab.agents.config import AgentConfig, AgentConfigError
from dynalab.agents.kinds import Kind
from dynalab.agents.step import agent_memory, agent_params
from dynalab.envs.builtin import dyna_maze
from dynalab.envs.ground_truth import value_iteration
from dynalab.envs.mdp import WorldSchedule
from dynalab.models.aggregate import learn_generalization
from dynalab.models.ensemble import ensemble_target, ensemble_update, poisson_one
from dynalab.models.tabular import model_update
from dynalab.planners.ensemble import plan_with_ensemble
from dynalab.run.loop import LOOPS
from dynalab.run.run_log import Budget, empty_log
from dynalab.run.runner import run_agent
from dynalab.run.seeds import make_rng, run_seeds
from tests.jit_modes import outputs_in_both_modes

GAMMA = 0.9


def test_poisson_one_inverts_the_poisson_cdf() -> None:
    """Over a fine midpoint grid of uniforms the draws take each value k with frequency
    e^-1 / k! to within the grid's resolution (no randomness involved)."""
    grid = 200_000
    draws = np.array([poisson_one((i + 0.5) / grid) for i in range(grid)])
    for k in range(6):
        assert abs(np.mean(draws == k) - math.exp(-1) / math.factorial(k)) < 2 / grid
    assert np.mean(draws) == pytest.approx(1.0, abs=1e-3)


def _memory(members: int = 5, uncertainty: str = "mean", weight: float = 1.0, seed: int = 0):
    agent = AgentConfig(
        name="dyna-q",
        planning_steps=5,
        model="aggregate",
        ensemble=members,
        uncertainty=uncertainty,
        uncertainty_weight=weight,
        gamma=GAMMA,
    )
    return agent_memory(agent, 10, 2, np.random.default_rng(seed))


def _record(memory, state, action, reward, next_state, rng, times=1) -> None:  # noqa: ANN001
    for _ in range(times):
        slot = model_update(memory.model, state, action, reward, next_state, False, 0)
        kind = learn_generalization(memory.learned, state, action, reward, next_state, False)
        ensemble_update(memory.ensemble, slot, state, action, reward, kind, rng)


def test_members_with_data_on_a_deterministic_pair_agree() -> None:
    """Tried 40 times, a pair is missing from a member with chance e^-40: every member
    has the true outcome, so the spread is 0 and the mean is the exact target."""
    memory = _memory()
    rng = np.random.default_rng(1)
    _record(memory, 3, 1, 0.5, 4, rng, times=40)
    q_values = np.zeros((10, 2))
    q_values[4] = [1.0, 2.0]
    mean, spread = ensemble_target(
        memory.ensemble, memory.model, memory.learned, q_values, 3, 1, GAMMA
    )
    assert mean == pytest.approx(0.5 + GAMMA * 2.0) and spread == 0.0


def test_bootstrap_weights_are_poisson_counts() -> None:
    """Each member's weight on a pair tried n times is a sum of n Poisson(1) draws:
    over 2000 members its mean is n and its variance n (tolerance: 5 standard errors)."""
    memory = _memory(members=2000)
    _record(memory, 0, 0, 0.0, 1, np.random.default_rng(2), times=4)
    weights = memory.ensemble.weight[:, 0, 0, 0]
    assert abs(weights.mean() - 4) < 5 * math.sqrt(4 / 2000)
    assert abs(weights.var() - 4) < 5 * math.sqrt(2 * 4**2 / 2000 + 4 / 2000)
    assert np.all(memory.ensemble.reward_sum[:, 0, 0, 0] == 0.0)


def test_members_without_data_guess_each_seen_kind_equally_often() -> None:
    """Action 0 has moved +1 for free and +1 into a costly cell (reward -1), each 40
    times, so every member has seen both kinds. On 200 untried pairs x 5 members, each
    member's target is one kind's target, and each kind is guessed about half the time
    (binomial with sd 0.016 over 1000 guesses; tolerance 0.06)."""
    memory = _memory(members=5)
    rng = np.random.default_rng(3)
    _record(memory, 0, 0, 0.0, 1, rng, times=40)
    _record(memory, 1, 0, -1.0, 2, rng, times=40)
    assert (memory.ensemble.kind_weight[:, 0, :2] > 0).all()
    costly = 0
    for trial in range(200):
        fresh = _memory(members=5, seed=100 + trial)
        for field in ("weight", "reward_sum", "kind_weight"):
            getattr(fresh.ensemble, field)[:] = getattr(memory.ensemble, field)
        q_values = np.zeros((10, 2))
        mean, spread = ensemble_target(
            fresh.ensemble, memory.model, memory.learned, q_values, 5, 0, GAMMA
        )
        targets = fresh.ensemble.targets
        assert set(np.round(targets, 12)) <= {0.0, -1.0}
        costly += int(np.sum(targets == -1.0))
        assert mean == pytest.approx(targets.mean()) and spread == pytest.approx(targets.std())
    assert abs(costly / 1000 - 0.5) < 0.06


@pytest.mark.parametrize(
    ("uncertainty", "sign"), [("pessimistic", -1.0), ("optimistic", 1.0), ("mean", 0.0)]
)
def test_planning_shifts_the_target_by_lambda_times_the_spread(
    uncertainty: str, sign: float
) -> None:
    """With alpha = 1 one planning update sets Q(s, a) to mean + sign * lambda * spread."""
    memory = _memory(members=5, uncertainty=uncertainty, weight=2.0, seed=1)
    rng = np.random.default_rng(4)
    _record(memory, 0, 0, 0.0, 1, rng, times=40)
    _record(memory, 1, 0, -1.0, 2, rng, times=40)
    _record(memory, 5, 1, 0.0, 5, rng)  # state 5 seen; its action 0 never tried
    q_values = np.zeros((10, 2))
    q_values[[1, 2, 6], 1] = [1.0, 3.0, 2.0]
    pairs = [(state, action) for state in (0, 1, 5) for action in (0, 1)]
    expected = {}
    for state, action in pairs:
        mean, spread = ensemble_target(
            memory.ensemble, memory.model, memory.learned, q_values, state, action, GAMMA
        )
        expected[(state, action)] = mean + sign * 2.0 * spread
    spread_untried = ensemble_target(
        memory.ensemble, memory.model, memory.learned, q_values, 5, 0, GAMMA
    )[1]
    assert spread_untried > 0.0  # the members guess free and costly moves for (5, 0)
    before = q_values.copy()
    plan_with_ensemble(q_values, memory.model, memory.learned, memory.ensemble, 1, 1.0, GAMMA, rng)
    changed = [tuple(pair) for pair in np.argwhere(q_values != before)]
    assert len(changed) <= 1
    for state, action in changed:
        assert q_values[state, action] == pytest.approx(expected[(state, action)])
    for _ in range(50):  # every planned pair lands on its shifted target
        plan_with_ensemble(
            q_values, memory.model, memory.learned, memory.ensemble, 1, 1.0, GAMMA, rng
        )
    untried = ensemble_target(memory.ensemble, memory.model, memory.learned, q_values, 5, 0, GAMMA)
    assert q_values[5, 0] == pytest.approx(untried[0] + sign * 2.0 * untried[1])


def test_pessimism_costs_nothing_where_the_members_agree() -> None:
    """Once every reachable pair of the Dyna maze has been tried 25+ times, every member
    has data on every pair (a member misses one with chance e^-25) and they agree: the
    pessimistic ensemble's planning is then value iteration on the true model, and Q
    converges to Q* (alpha = 1)."""
    mdp = dyna_maze().to_mdp()
    decision = mdp.decision_states()
    agent = AgentConfig(
        name="dyna-q",
        planning_steps=5,
        alpha=1.0,
        gamma=0.95,
        epsilon=1.0,
        model="counts",
        ensemble=3,
    )
    q_values = np.zeros((mdp.n_states, mdp.n_actions))
    seed = run_seeds(0, 1)[0]
    memory = agent_memory(agent, mdp.n_states, mdp.n_actions, np.random.default_rng(0))
    rng = make_rng(seed)
    world = WorldSchedule.static(mdp).stacked()
    steps = 0
    while not (memory.model.visits[decision] >= 25).all():
        steps += 5000
        assert steps < 500_000, "exploration never covered the maze"
        LOOPS[agent.kind](
            world,
            q_values,
            memory,
            agent_params(agent),
            Budget(0, 5000, False, 0, 0),
            rng,
            rng,
            empty_log(5000, 0),
        )
    assert (memory.ensemble.weight[:, decision].sum(axis=-1) > 0).all()
    plan_with_ensemble(
        q_values, memory.model, memory.learned, memory.ensemble, 200_000, 1.0, 0.95, rng
    )
    q_star, _ = value_iteration(mdp, 0.95)
    assert np.abs(q_values[decision] - q_star[decision]).max() < 1e-6


def test_ensemble_runs_are_reproducible() -> None:
    mdp = dyna_maze().to_mdp()
    agent = AgentConfig(name="dyna-q", planning_steps=5, model="aggregate", ensemble=3)
    one = run_agent(mdp, agent, episodes=5, runs=2, seed=7)
    two = run_agent(mdp, agent, episodes=5, runs=2, seed=7, jobs=2)
    assert np.array_equal(one.final_q, two.final_q)
    assert np.array_equal(one.episode_steps, two.episode_steps)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"ensemble": 1, "model": "aggregate"}, "ensemble must be 0 \\(none\\) or >= 2"),
        ({"ensemble": 3}, "use model=counts or model=aggregate"),
        ({"ensemble": 3, "model": "counts", "sampling": "on-policy"}, "uniform sampling"),
        ({"uncertainty": "optimistic"}, "need an ensemble"),
        ({"uncertainty_weight": 2.0}, "need an ensemble"),
        ({"ensemble": 3, "model": "counts", "uncertainty": "wild"}, "uncertainty must be one"),
        (
            {"ensemble": 3, "model": "counts", "uncertainty_weight": -1.0},
            r"lambda \(uncertainty_weight",
        ),
        ({"ensemble": -2}, "ensemble must be an integer >= 0"),
    ],
)
def test_bad_ensemble_settings_are_refused(kwargs: dict, message: str) -> None:
    with pytest.raises(AgentConfigError, match=message):
        AgentConfig(name="dyna-q", planning_steps=5, **kwargs)


def test_ensemble_is_for_dyna_q_only() -> None:
    with pytest.raises(AgentConfigError, match="ensemble is for dyna-q"):
        AgentConfig(name="dyna-q+", planning_steps=5, model="counts", ensemble=3)
    assert (
        AgentConfig(name="dyna-q", planning_steps=5, model="counts", ensemble=3).kind
        == Kind.DYNA_ENSEMBLE
    )


def test_the_ensemble_runs_uncompiled_with_identical_numbers() -> None:
    """NUMBA_DISABLE_JIT=1 runs the ensemble's kernels as plain Python, same numbers."""
    script = textwrap.dedent(
        """
        from dynalab.agents.config import AgentConfig
        from dynalab.envs.builtin import swamp_maze
        from dynalab.run.runner import run_agent
        agent = AgentConfig(
            name="dyna-q", planning_steps=3, model="aggregate", ensemble=3, uncertainty_weight=0.5
        )
        r = run_agent(swamp_maze().to_mdp(), agent, episodes=2, runs=2)
        print(r.episode_steps.tolist(), repr(float(r.final_q.sum())))
        """
    )
    outputs = outputs_in_both_modes(script)
    assert outputs[0] == outputs[1]
    assert outputs[0].startswith("[[")
