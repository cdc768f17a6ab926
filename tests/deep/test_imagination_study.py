"""`dynalab study imagination`, shrunk (tiny networks, a few hundred steps): its five
claims, its run folder (both worlds' rows in evals.csv, the maze's and the game's plots),
and the steps-to-value rule."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

pytest.importorskip("jax")

from dynalab.claims import imagination  # noqa: E402
from dynalab.cli import app  # noqa: E402
from dynalab.runfolder import read_evals  # noqa: E402
from tests.deep.tiny import TINY_DQN, TINY_DREAMER, TINY_EVAL_EVERY, TINY_STEPS  # noqa: E402

RUNNER = CliRunner(env={"COLUMNS": "200"})
TINY_AGENTS = {
    "dreamer": TINY_DREAMER,
    # the same settings as "dreamer": one compiled program serves both (the test's time)
    f"dreamer, H={imagination.LONG_HORIZON}": TINY_DREAMER,
    "dqn": TINY_DQN,
    "dyna-q on the table": "dyna-q:gamma=0.95",
}
TINY_GAME = {"dreamer on the game": TINY_DREAMER, "dqn on the game": TINY_DQN}
"""The second world's agents: on the pixel maze again here, so that they reuse the maze's
compiled programs (Dreamer on Breakout-MinAtar: ``tests/deep/test_gymnax_envs.py``)."""


def test_the_belief_gap_is_measured_from_the_critics_first_belief() -> None:
    believed = np.array([[0.0, 0.02, 0.3, 0.5], [0.0, 0.0, 0.0, 0.01]])
    true = np.array([[0.0, 0.0, 0.1, 0.45], [0.0, 0.0, 0.0, 0.0]])
    steps = np.array([[0, 100, 200, 300]] * 2)
    metrics = {"believed_value": believed, "env_step": steps}
    claim = imagination._belief_gap_claim(metrics, true, optimum=0.5, seed=0)
    # run 0 first believes 0.3 >= 10% of 0.5 at step 200 (gap 0.2), ends at 0.05; run 1
    # never believes, so it is measured at the end against itself (no change)
    assert "200/300 steps" in claim.measured
    assert "(200/300 steps) 0.10 [" in claim.measured  # the mean of 0.2 and 0.01
    assert "at the end 0.030 [" in claim.measured  # the mean of 0.05 and 0.01


def test_steps_to_value_takes_the_first_reaching_evaluation_else_the_budget() -> None:
    values = np.array([[0.1, 0.5, 0.49], [0.1, 0.2, 0.3]])
    steps = np.array([[0, 100, 200], [0, 100, 200]])
    assert imagination.steps_to_value(values, steps, 0.45).tolist() == [100.0, 200.0]


def test_the_study_prints_its_claims_and_writes_both_worlds(tmp_path: Path, monkeypatch) -> None:
    for name, value in (
        ("STUDY_AGENTS", TINY_AGENTS),
        ("STUDY_STEPS", TINY_STEPS),
        ("STUDY_EVAL_EVERY", TINY_EVAL_EVERY),
        ("GAME_WORLD", imagination.STUDY_WORLD),
        ("GAME_AGENTS", TINY_GAME),
        ("GAME_STEPS", TINY_STEPS),
        ("GAME_EVAL_EVERY", TINY_EVAL_EVERY),
    ):
        monkeypatch.setattr(imagination, name, value)
    out = tmp_path / "study"
    result = RUNNER.invoke(
        app, ["study", "imagination", "--runs", "2", "--out", str(out), "--quiet"]
    )
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert len(lines) == 5, result.output
    assert all(line.startswith(("[holds] ", "[fails] ")) for line in lines)
    all_hold = all(line.startswith("[holds] ") for line in lines)
    assert result.exit_code == (0 if all_hold else 1)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["all_claims_hold"] == all_hold and len(summary["claims"]) == 5
    assert 0 < summary["optimal_value"] < 1
    assert set(summary["more_worlds"][0]["agents"]) == set(TINY_GAME)
    evals = read_evals(out)
    assert set(evals["agent"]) == set(TINY_AGENTS) | set(TINY_GAME)
    points = TINY_STEPS // TINY_EVAL_EVERY + 1
    assert len(evals["agent"]) == (4 + 2) * 2 * points  # agents x runs x points, both worlds
    maze_dreamer = evals["agent"] == "dreamer"
    assert np.isfinite(evals["policy_value"][maze_dreamer]).all()
    table = evals["agent"] == "dyna-q on the table"
    assert np.isfinite(evals["greedy_value"][table]).all()
    assert "dyna-q on the table" in summary["steps_to_near_optimal"]
    for name in (
        "eval_return.png",
        "rollout_error.png",
        "game_eval_return.png",
        "dream-dreamer.png",
    ):
        assert (out / name).read_bytes()[:4] == b"\x89PNG", name
