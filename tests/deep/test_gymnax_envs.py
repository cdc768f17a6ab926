"""`gymnax:ID`: any gymnax env with discrete actions (MinAtar's games) for the neural agents."""

from __future__ import annotations

import numpy as np
import pytest

jax = pytest.importorskip("jax")

from dynalab.deep.agents.dqn import dqn_config  # noqa: E402
from dynalab.deep.agents.dreamer_training import dreamer_config  # noqa: E402
from dynalab.deep.budget import Budget  # noqa: E402
from dynalab.deep.runs import train_runs  # noqa: E402
from dynalab.deep.worlds import gymnax_world  # noqa: E402
from dynalab.experiments.neural import stepped_from_python  # noqa: E402
from dynalab.specs.agents import parse_agent_spec  # noqa: E402
from dynalab.specs.text import SpecError  # noqa: E402
from dynalab.specs.worlds import parse_env_spec  # noqa: E402
from tests.deep.tiny import TINY_DREAMER  # noqa: E402


def test_a_gymnax_spec_names_a_compiled_world_with_gymnaxs_own_time_limit() -> None:
    world = parse_env_spec("gymnax:Breakout-MinAtar")
    assert world.gymnax and world.vector_obs and world.schedule is None
    assert not stepped_from_python(world)
    jax_world = gymnax_world("Breakout-MinAtar")
    assert jax_world.obs_shape == (10, 10, 4) and jax_world.n_actions == 3
    assert jax_world.max_steps == 1000 and jax_world.solved_return is None


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("gymnax:Breakout", "gymnax has no env 'Breakout'.*did you mean 'Breakout-MinAtar'"),
        ("gymnax:Pendulum-v1", "gymnax env 'Pendulum-v1' has no discrete actions"),
        ("gymnax:", "missing id after 'gymnax:'"),
    ],
)
def test_a_bad_gymnax_spec_is_refused_in_one_line(spec: str, message: str) -> None:
    with pytest.raises(SpecError, match=message):
        parse_env_spec(spec)


def test_dqn_trains_on_minatar_breakout_compiled() -> None:
    config = dqn_config(hidden="16", batch=8, buffer=200, learning_starts=50)
    _, metrics = train_runs(
        gymnax_world("Breakout-MinAtar"), config, Budget(200, 100, 1), seed=0, runs=2
    )
    assert metrics["eval_return"].shape == (2, 3)
    assert np.isfinite(metrics["loss"][:, 1:]).all() and (metrics["eval_return"] >= 0).all()


def test_dreamer_trains_on_minatar_breakout_compiled() -> None:
    """The agents' one world interface: Dreamer's model sees Breakout's 10x10x4 boolean
    frames as floats; no table, so no policy table, but imagination's error is measured."""
    config = dreamer_config(parse_agent_spec(TINY_DREAMER))
    _, metrics = train_runs(
        gymnax_world("Breakout-MinAtar"), config, Budget(120, 60, 1), seed=0, runs=2
    )
    assert metrics["eval_return"].shape == (2, 3) and "policy_table" not in metrics
    assert np.isfinite(metrics["loss"][:, 1:]).all() and (metrics["eval_return"] >= 0).all()
    assert np.isfinite(metrics["rollout_error"][:, -1]).all()
