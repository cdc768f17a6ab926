"""`dynalab compare` with the JAX agents: evals.csv (run folder v3), summary, table, plots."""

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from dynalab.cli import app
from dynalab.runfolder import EVAL_COLUMNS, RUN_FOLDER_VERSION, read_evals

jax = pytest.importorskip("jax")

RUNNER = CliRunner(env={"COLUMNS": "240"})
DQN = "dqn:hidden=16,buffer=200,batch=16,learning_starts=50"
DYNA = "dyna-dqn:hidden=16,buffer=200,batch=16,learning_starts=50,model_hidden=16,rollouts=8"


def test_compare_on_a_one_hot_maze_reports_the_exact_value(tmp_path: Path) -> None:
    from dynalab.envs.builtin import dyna_maze
    from dynalab.envs.ground_truth import value_iteration

    out = tmp_path / "maze"
    result = RUNNER.invoke(
        app,
        ["compare", "--env", "dyna-maze", "--agents", DQN, DYNA, "--runs", "2", "--steps",
         "200", "--out", str(out), "--quiet", "--report"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "true value of the greedy policy" in result.stdout
    evals = read_evals(out)
    points = 11  # every 20 steps from 0 to 200
    assert len(evals["agent"]) == 2 * 2 * points
    assert set(evals["agent"]) == {DQN, DYNA}
    assert sorted(set(evals["env_step"].tolist())) == list(range(0, 201, 20))
    mdp = dyna_maze().to_mdp()
    _, v_star = value_iteration(mdp, 0.99)
    optimum = float(mdp.start_prob @ v_star)
    assert np.all(evals["greedy_value"] <= optimum + 1e-9)  # no policy beats V*
    assert np.isfinite(evals["believed_value"]).all()
    dyna_rows = evals["agent"] == DYNA
    assert np.isfinite(evals["model_error"][dyna_rows][2:]).any()
    assert np.isnan(evals["model_error"][~dyna_rows]).all()  # dqn has no model
    config = json.loads((out / "config.json").read_text())
    assert config["run_folder_version"] == RUN_FOLDER_VERSION == 5
    assert config["steps"] == 200 and config["backend"] == "jax"
    summary = json.loads((out / "summary.json").read_text())
    final = summary["agents"][DQN]["final_greedy_value"]["mean"]
    last = evals["greedy_value"][(evals["agent"] == DQN) & (evals["env_step"] == 200)]
    assert final == pytest.approx(last.mean())
    assert "p_better_than_first" in summary["agents"][DYNA]
    for plot in ("eval_return.png", "greedy_value.png", "belief.png"):
        assert (out / plot).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (out / "evals.csv").read_text().splitlines()[0] == ",".join(EVAL_COLUMNS)
    page = (out / "report.html").read_text()  # the terminal's grid, in the page
    assert "true value of the greedy policy" in page and "rollout_error.png" in page


def test_compare_on_cart_pole_counts_the_runs_that_reach_475(tmp_path: Path) -> None:
    out = tmp_path / "cartpole"
    result = RUNNER.invoke(
        app,
        ["compare", "--env", "gym:CartPole-v1", "--agents", DQN, "--runs", "2", "--steps",
         "100", "--out", str(out), "--no-plot", "--quiet"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "real steps to return 475" in result.stdout
    summary = json.loads((out / "summary.json").read_text())
    assert summary["solved_return"] == 475
    entry = summary["agents"][DQN]
    returns = read_evals(out)["eval_return"].reshape(2, -1)
    assert entry["solved_runs"] == int((returns >= 475).any(axis=1).sum())
    assert np.isnan(read_evals(out)["greedy_value"]).all()  # no table under CartPole
