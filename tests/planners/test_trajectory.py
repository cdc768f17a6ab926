"""Trajectory sampling (§8.6) for Dyna-Q and Dyna-Q+: the bonus and untried actions."""

import numpy as np
import pytest

from dynalab.envs.builtin import blocking_maze
from dynalab.models.tabular import empty_model, model_update
from dynalab.planners.trajectory import plan_on_policy
from dynalab.run.runner import run_agent
from dynalab.specs.agents import parse_agent_spec


def rng() -> np.random.Generator:
    return np.random.Generator(np.random.SFC64(0))


def test_dyna_q_plus_trajectories_plan_untried_actions_with_the_bonus() -> None:
    """One state, two actions, only action 0 tried (at step 64, reward 0.5, back to the
    start). At step 100 with alpha 1 and gamma 0 a planned update sets Q to its reward
    plus kappa*sqrt(tau): 0.5 + 0.1*6 for the tried action, 0.1*10 for the untried one
    (which stays in the state instead of ending the trajectory)."""
    model = empty_model(1, 2)
    model_update(model, 0, 0, 0.5, 0, False, 64)
    cursor = np.zeros(2, dtype=np.int64)
    q_values = np.zeros((1, 2))
    made = plan_on_policy(q_values, model, cursor, 200, 1.0, 0.0, 1.0, 0.1, True, 100, rng())
    assert made == 200
    assert q_values[0] == pytest.approx([0.5 + 0.6, 1.0])
    plain = np.zeros((1, 2))
    made = plan_on_policy(plain, model, cursor, 200, 1.0, 0.0, 1.0, 0.0, False, 100, rng())
    assert made < 200 and plain[0].tolist() == [0.5, 0.0]


def test_dyna_q_plus_on_policy_differs_from_dyna_q_on_policy() -> None:
    """The issue's case: on the blocking maze (n=10, kappa=0.001, 5 runs) the two once
    reported the same reward at every step: the bonus and untried actions were dropped."""
    world = blocking_maze().to_schedule()
    rewards = [
        run_agent(world, parse_agent_spec(spec), steps=3000, runs=5, seed=0).cumulative_reward
        for spec in ("dyna-q:n=10,sampling=on-policy", "dyna-q+:n=10,sampling=on-policy")
    ]
    assert not np.array_equal(rewards[0], rewards[1])
