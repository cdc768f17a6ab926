"""`dynalab study neural-model-error`, shrunk (tiny networks, 600 steps): its claims,
its run folder with evals.csv and the rollout-error plot; and the refusal without JAX."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

pytest.importorskip("jax")

from dynalab.claims import neural  # noqa: E402
from dynalab.cli import app  # noqa: E402
from dynalab.runfolder import read_evals  # noqa: E402

RUNNER = CliRunner(env={"COLUMNS": "200"})
TINY = "hidden=16,learning_starts=100,epsilon_steps=300,target_every=100"
TINY_DYNA = f"{TINY},model_hidden=16,model_every=100,model_steps=10"
TINY_AGENTS = {
    "dqn": f"dqn:{TINY}",
    "ensemble, k=1": f"dyna-dqn:{TINY_DYNA},members=2,rollouts=8",
    "one net, k=1": f"dyna-dqn:{TINY_DYNA},members=1,world_model=deterministic,rollouts=8",
    "one net, k=10": f"dyna-dqn:{TINY_DYNA},members=1,world_model=deterministic,k=10,rollouts=1",
    "ensemble, k=10, truncate": f"dyna-dqn:{TINY_DYNA},members=2,k=10,rollouts=1,guard=truncate",
}


def test_unsolved_runs_count_at_the_budget() -> None:
    metrics = {
        "eval_return": np.array([[10.0, 480.0, 300.0], [10.0, 20.0, 30.0]]),
        "env_step": np.array([[0, 500, 1000], [0, 500, 1000]]),
    }
    assert neural._steps_to_solved(metrics, 475.0, 1000).tolist() == [500.0, 1000.0]


def test_the_study_prints_its_claims_and_writes_evals(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(neural, "STUDY_AGENTS", TINY_AGENTS)
    monkeypatch.setattr(neural, "STUDY_STEPS", 600)
    monkeypatch.setattr(neural, "STUDY_EVAL_EVERY", 300)
    out = tmp_path / "study"
    result = RUNNER.invoke(
        app, ["study", "neural-model-error", "--runs", "2", "--out", str(out), "--quiet"]
    )
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert len(lines) == 5, result.output
    assert all(line.startswith(("[holds] ", "[fails] ")) for line in lines)
    all_hold = all(line.startswith("[holds] ") for line in lines)
    assert result.exit_code == (0 if all_hold else 1)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["all_claims_hold"] == all_hold and len(summary["claims"]) == 5
    assert set(summary["steps_to_solved"]) == set(TINY_AGENTS)
    evals = read_evals(out)
    assert len(evals["agent"]) == 5 * 2 * 3  # agents x runs x evaluation points
    assert set(evals["agent"]) == set(TINY_AGENTS)  # labelled by role
    dyna = evals["agent"] != "dqn"
    assert np.isfinite(evals["rollout_error_10"][dyna & (evals["env_step"] > 0)]).all()
    assert np.isnan(evals["rollout_error_1"][~dyna]).all()
    assert (out / "rollout_error.png").read_bytes()[:4] == b"\x89PNG"
    assert json.loads((out / "config.json").read_text())["comparison"]["steps"] == 600
