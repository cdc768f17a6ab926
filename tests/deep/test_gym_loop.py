"""The JAX agents stepped from Python on Gymnasium envs (:mod:`dynalab.deep.gym_loop`):
ground truth on a one-hot maze, the same numbers for the same seed, dyna-dqn's records."""

from __future__ import annotations

import gymnasium
import numpy as np
import pytest

jax = pytest.importorskip("jax")

from dynalab.agents.config import AgentConfig  # noqa: E402
from dynalab.deep.agents.dqn import dqn_config  # noqa: E402
from dynalab.deep.budget import Budget  # noqa: E402
from dynalab.deep.gym_loop import train_on_env  # noqa: E402
from dynalab.deep.runs import train_runs  # noqa: E402
from dynalab.deep.worlds import gymnax_world  # noqa: E402
from dynalab.envs.builtin import dyna_maze  # noqa: E402
from dynalab.envs.ground_truth import value_iteration  # noqa: E402
from dynalab.envs.gym_adapter import TabularEnv  # noqa: E402

TINY = dict(hidden="16", batch=8, buffer=300, learning_starts=100, epsilon_steps=500)


class OneHot(gymnasium.ObservationWrapper):
    """A discrete-state env seen as one-hot vectors (a ``Box`` space)."""

    def __init__(self, env: gymnasium.Env) -> None:
        super().__init__(env)
        self.size = int(env.observation_space.n)
        self.observation_space = gymnasium.spaces.Box(0.0, 1.0, (self.size,), np.float32)

    def observation(self, observation: int) -> np.ndarray:
        return np.eye(self.size, dtype=np.float32)[observation]


def one_hot_maze() -> gymnasium.Env:
    return OneHot(TabularEnv(dyna_maze().to_mdp()))


def test_dqn_stepped_from_python_finds_the_mazes_shortest_path() -> None:
    """The README's one-hot maze settings, through Gymnasium's reset/step: after 6,000
    steps the greedy policy's discounted return from the start is at least 95% of V*
    (a shortest path: one step more would be worth 95.0%)."""
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
    _, metrics = train_on_env(one_hot_maze, config, Budget(6000, 3000, 1), seed=0)
    mdp = dyna_maze().to_mdp()
    _, v_star = value_iteration(mdp, gamma)
    start = int(np.flatnonzero(mdp.start_prob)[0])
    assert metrics["eval_discounted_return"].shape == (3,)
    assert metrics["eval_discounted_return"][-1] >= 0.95 * v_star[start]
    assert metrics["eval_discounted_return"][0] < 0.95 * v_star[start]


def test_the_same_seed_gives_the_same_numbers_and_the_compiled_runs_keys() -> None:
    """Twice the same numbers; the metrics are the compiled loop's, name for name."""
    config = dqn_config(**TINY)
    budget = Budget(400, 200, 2)

    def cartpole() -> gymnasium.Env:
        return gymnasium.make("CartPole-v1")

    _, first = train_on_env(cartpole, config, budget, seed=1, run=2)
    _, again = train_on_env(cartpole, config, budget, seed=1, run=2)
    _, other = train_on_env(cartpole, config, budget, seed=1, run=3)
    for name, values in first.items():
        np.testing.assert_array_equal(values, again[name], err_msg=name)
    assert not np.array_equal(first["train_return"], other["train_return"])
    _, compiled = train_runs(gymnax_world("CartPole-v1"), config, budget, runs=2)
    assert set(first) == set(compiled)
    assert all(first[name].shape == compiled[name].shape[1:] for name in first)


def test_dyna_dqn_stepped_from_python_records_its_model() -> None:
    keys = dict(model_hidden="16", model_every=100, model_steps=5, rollouts=8, members=2, k=3)
    config = dqn_config(AgentConfig(name="dyna-dqn", **TINY, **keys))
    _, metrics = train_on_env(
        lambda: gymnasium.make("CartPole-v1"), config, Budget(400, 200, 1), seed=0
    )
    assert metrics["rollout_error"].shape == (3, 10)
    assert np.isfinite(metrics["model_error"][1:]).all()
    assert np.isfinite(metrics["rollout_error"][1:]).all()
    assert (metrics["simulated"][1:] > 0).all()


def test_compare_steps_a_vector_env_without_a_twin_from_python(tmp_path) -> None:
    """CartPole-v0 (200-step limit, solved at 195) has no gymnax twin: compare runs it
    step by step and writes the same run folder."""
    from typer.testing import CliRunner

    from dynalab.cli import app
    from dynalab.runfolder import read_evals

    out = tmp_path / "v0"
    spec = "dqn:hidden=16,batch=8,buffer=300,learning_starts=100,epsilon_steps=200"
    result = CliRunner().invoke(
        app,
        ["compare", "--env", "gym:CartPole-v0", "--agents", spec, "--runs", "2"]
        + ["--steps", "300", "--out", str(out), "--quiet", "--no-plot"],
    )
    assert result.exit_code == 0, result.output
    evals = read_evals(out)
    assert evals["run"].tolist() == [0] * 11 + [1] * 11  # 0, 30, ..., 300 per run
    assert (evals["eval_return"] >= 1).all() and (evals["eval_return"] <= 200).all()
