"""Dreamer as a whole: the registry's keys, a run's determinism, and the exact value of its
actor's policy on the pixel maze, its imagination's error and its dream's pictures,
through `dynalab compare`."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

jax = pytest.importorskip("jax")

from dynalab.agents.keys import AgentConfigError  # noqa: E402
from dynalab.cli import app  # noqa: E402
from dynalab.deep.agents.dreamer_training import dreamer_config  # noqa: E402
from dynalab.deep.budget import Budget  # noqa: E402
from dynalab.deep.runs import exact_policy_values, train_runs  # noqa: E402
from dynalab.deep.tabular import maze_world  # noqa: E402
from dynalab.envs.builtin import dyna_maze  # noqa: E402
from dynalab.envs.ground_truth import value_iteration  # noqa: E402
from dynalab.experiments.neural import EVAL_EPISODES  # noqa: E402
from dynalab.runfolder import read_evals  # noqa: E402
from dynalab.specs.agents import parse_agent_spec  # noqa: E402
from dynalab.specs.text import SpecError  # noqa: E402
from tests.deep.tiny import TINY_DREAMER, TINY_EVAL_EVERY, TINY_STEPS  # noqa: E402

RUNNER = CliRunner(env={"COLUMNS": "240"})


def test_dreamer_is_registered_with_its_keys_and_checks_them() -> None:
    config = dreamer_config(parse_agent_spec(TINY_DREAMER))
    assert (config.rssm.deter, config.rssm.groups, config.rssm.classes) == (8, 2, 4)
    assert (config.batch, config.length, config.behavior.horizon) == (4, 4, 3)
    defaults = dreamer_config()
    assert (defaults.batch, defaults.buffer, defaults.gamma) == (16, 20_000, 0.99)
    with pytest.raises(AgentConfigError, match=r"length \(64\) must not exceed buffer \(32\)"):
        dreamer_config(length=64, buffer=32)
    with pytest.raises(SpecError, match="unknown key 'horizn'.*did you mean 'horizon'"):
        parse_agent_spec("dreamer:horizn=3")
    with pytest.raises(SpecError, match="entropy"):
        parse_agent_spec("dreamer:entropy=-1")


def test_a_dreamer_run_gives_the_same_numbers_alone_and_in_a_batch() -> None:
    """Run 1 of seed 0 alone and as the second of three runs: every metric bit for bit
    (every sum in the model and the actor-critic is pairwise or a dot product); and the
    actor's exact policy value never exceeds V* (it is a policy on the true MDP)."""
    world = maze_world(dyna_maze(), "pixels")
    config = dreamer_config(parse_agent_spec(TINY_DREAMER))
    budget = Budget(TINY_STEPS, TINY_EVAL_EVERY, EVAL_EPISODES)  # the compare test's program
    _, alone = train_runs(world, config, budget, seed=0, runs=[1])
    _, three = train_runs(world, config, budget, seed=0, runs=3)
    for name, value in alone.items():
        np.testing.assert_array_equal(value[0], three[name][1], err_msg=name)
    assert not np.array_equal(three["policy_table"][0], three["policy_table"][1])
    # a loss in exactly the periods with a training step (every 20th step from the 40th)
    periods = [range(start + 1, start + TINY_EVAL_EVERY + 1) for start in budget.eval_steps[:-1]]
    trained = [any(s >= 40 and s % 20 == 0 for s in period) for period in periods]
    assert np.isfinite(alone["loss"][0, 1:]).tolist() == trained and any(trained)
    tables = three["policy_table"]
    points = TINY_STEPS // TINY_EVAL_EVERY + 1
    assert tables.shape == (3, points, world.mdp.n_states, world.n_actions)
    np.testing.assert_allclose(tables.sum(-1), 1.0, rtol=1e-5)
    _, v_star = value_iteration(world.mdp, config.gamma)
    optimum = float(world.mdp.start_prob @ v_star)
    values = exact_policy_values(world, tables, config.gamma)
    assert values.shape == (3, points) and (values <= optimum + 1e-9).all()


def test_compare_runs_dreamer_on_the_pixel_maze_and_reports_its_policy_value(
    tmp_path: Path,
) -> None:
    out = tmp_path / "dream"
    agent = TINY_DREAMER
    result = RUNNER.invoke(
        app,
        ["compare", "--env", "dyna-maze:obs=pixels", "--agents", agent, "--runs", "2",
         "--steps", str(TINY_STEPS), "--out", str(out), "--quiet"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "true value of the actor's policy" in result.stdout
    evals = read_evals(out)
    assert np.isfinite(evals["policy_value"]).all() and np.isfinite(evals["greedy_value"]).all()
    mdp = dyna_maze().to_mdp()
    _, v_star = value_iteration(mdp, 0.95)
    assert (evals["policy_value"] <= float(mdp.start_prob @ v_star) + 1e-9).all()
    final = evals["env_step"] == evals["env_step"].max()
    errors = np.stack([evals[f"rollout_error_{h}"][final] for h in range(1, 11)])
    assert np.isfinite(errors).all() and (errors >= 0).all(), "imagination error, all horizons"
    strip = Image.open(out / f"dream-{_slug(agent)}.png")
    animation = Image.open(out / f"dream-{_slug(agent)}.gif")
    assert strip.height < strip.width and getattr(animation, "n_frames", 1) >= 2
    assert (out / "rollout_error.png").is_file()


def _slug(label: str) -> str:
    return re.sub(r"[^A-Za-z0-9.]+", "-", label).strip("-")


def test_dreamer_on_an_env_without_a_jax_twin_is_refused_in_one_line() -> None:
    result = RUNNER.invoke(
        app, ["compare", "--env", "gym:CartPole-v0", "--agents", "dreamer", "--steps", "10"]
    )
    assert result.exit_code == 2
    assert "runs compiled only" in result.output and "Traceback" not in result.output
