"""Tabular agents beside the jax ones in one `dynalab compare`: measured as the jax agents
are, at the same real steps, from the same seeds as a tabular comparison."""

from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from dynalab.cli import app
from dynalab.runfolder import read_evals

jax = pytest.importorskip("jax")

RUNNER = CliRunner(env={"COLUMNS": "240"})
DQN = "dqn:hidden=16,buffer=200,batch=16,learning_starts=50"


def test_recorded_tables_are_the_runs_own_at_the_evaluation_steps() -> None:
    from dynalab.deep.budget import Budget
    from dynalab.envs.builtin import dyna_maze
    from dynalab.envs.ground_truth import greedy_value
    from dynalab.experiments.tabular_evals import tabular_runs
    from dynalab.run.runner import run_agent
    from dynalab.specs.agents import parse_agent_spec

    mdp = dyna_maze().to_mdp()
    agent = parse_agent_spec("dyna-q:n=10")
    metrics = tabular_runs(mdp, agent, Budget(3000, 500, 3), runs=3, seed=4)
    assert metrics["env_step"].tolist() == [list(range(0, 3001, 500))] * 3
    assert metrics["eval_return"].shape == (3, 7)
    # the last table is the run's final Q: the same seed streams as a tabular comparison
    alone = run_agent(mdp, agent, steps=3000, runs=3, seed=4, evaluate=False)
    np.testing.assert_array_equal(metrics["q_table"][:, -1], alone.final_q)
    assert not metrics["q_table"][:, 0].any()  # step 0: the empty table
    # believed value: max_a Q at the maze's one start
    start = int(np.argmax(mdp.start_prob))
    np.testing.assert_allclose(
        metrics["believed_value"], metrics["q_table"][:, :, start].max(axis=-1), rtol=1e-6
    )
    # on a deterministic maze, a greedy policy without ties on its path obtains exactly its
    # true value: the episodes' discounted return against the ground truth (float32: 1e-5)
    checked = 0
    for run in range(3):
        for point in range(7):
            table = metrics["q_table"][run, point]
            value = greedy_value(mdp, table, agent.gamma)
            path_has_ties = _greedy_path_has_ties(mdp, table, start)
            if value > 0 and not path_has_ties:
                got = metrics["eval_discounted_return"][run, point]
                assert got == pytest.approx(value, abs=1e-5)
                assert metrics["eval_return"][run, point] == 1.0
                checked += 1
    assert checked >= 3  # every run has found the goal by 3,000 steps


def _greedy_path_has_ties(mdp: object, table: np.ndarray, start: int) -> bool:
    """Whether the greedy path from ``start`` on a deterministic maze meets a state whose
    best action is not unique (before the goal, at most ``n_states`` steps)."""
    state = start
    for _ in range(mdp.n_states):
        best = table[state] == table[state].max()
        if best.sum() > 1:
            return True
        action = int(np.argmax(table[state]))
        if mdp.terminal[state, action, 0]:
            return False
        state = int(mdp.next_state[state, action, 0])
    return False


def test_dyna_q_runs_beside_dqn_on_the_pixel_maze(tmp_path: Path) -> None:
    out = tmp_path / "mixed"
    result = RUNNER.invoke(
        app,
        ["compare", "--env", "dyna-maze:obs=pixels", "--agents", DQN, "dyna-q", "--runs",
         "2", "--steps", "4000", "--out", str(out), "--quiet"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    evals = read_evals(out)
    dyna = evals["agent"] == "dyna-q"
    assert dyna.sum() == 2 * 11 and (~dyna).sum() == 2 * 11
    assert np.isnan(evals["loss"][dyna]).all()  # a table has no TD loss to report
    final = dyna & (evals["env_step"] == 4000)
    # Dyna-Q with n=5 finds the Dyna maze's shortest path within a few episodes after its
    # first (Fig. 8.2: the first episode takes about 1,700 steps, the next ones tens); its
    # greedy policy then reaches the goal
    assert (evals["eval_return"][final] == 1.0).all()
    assert (evals["greedy_value"][final] > 0.4).all()  # V* = 0.513 at gamma 0.95
    assert "dyna-q" in result.stdout and "true value of the greedy policy" in result.stdout
